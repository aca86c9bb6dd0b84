using System.Runtime.InteropServices;
using System.Text;

namespace Samsa.Native;

/// <summary>Result of <c>rd_kafka_conf_set</c>.</summary>
internal enum LibrdkafkaConfResult
{
    /// <summary>RD_KAFKA_CONF_UNKNOWN: no such property.</summary>
    Unknown = -2,

    /// <summary>RD_KAFKA_CONF_INVALID: the property exists, the value is rejected.</summary>
    Invalid = -1,

    /// <summary>RD_KAFKA_CONF_OK.</summary>
    Ok = 0,
}

/// <summary>
/// The few functions of librdkafka's configuration API that Samsa calls itself, bound through function
/// pointers of the library handle that <see cref="LibrdkafkaLoader"/> loaded (so they are the same
/// code Confluent.Kafka runs, and no import resolver of Samsa's assembly is involved).
/// </summary>
internal sealed class LibrdkafkaConfigApi
{
    private const int ErrorBufferSize = 512;

    private readonly NewConf _confNew;
    private readonly DestroyConf _confDestroy;
    private readonly SetConf _confSet;
    private readonly DumpConf _confDump;
    private readonly NewConf _topicConfNew;
    private readonly DestroyConf _topicConfDestroy;
    private readonly DumpConf _topicConfDump;
    private readonly DefaultTopicConf _defaultTopicConf;
    private readonly FreeDump _dumpFree;
    private readonly ShowProperties _propertiesShow;

    private LibrdkafkaConfigApi(nint handle)
    {
        _confNew = Bind<NewConf>(handle, "rd_kafka_conf_new");
        _confDestroy = Bind<DestroyConf>(handle, "rd_kafka_conf_destroy");
        _confSet = Bind<SetConf>(handle, "rd_kafka_conf_set");
        _confDump = Bind<DumpConf>(handle, "rd_kafka_conf_dump");
        _topicConfNew = Bind<NewConf>(handle, "rd_kafka_topic_conf_new");
        _topicConfDestroy = Bind<DestroyConf>(handle, "rd_kafka_topic_conf_destroy");
        _topicConfDump = Bind<DumpConf>(handle, "rd_kafka_topic_conf_dump");
        _defaultTopicConf = Bind<DefaultTopicConf>(handle, "rd_kafka_conf_get_default_topic_conf");
        _dumpFree = Bind<FreeDump>(handle, "rd_kafka_conf_dump_free");
        _propertiesShow = Bind<ShowProperties>(handle, "rd_kafka_conf_properties_show");
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint NewConf();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void DestroyConf(nint conf);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate LibrdkafkaConfResult SetConf(nint conf, nint name, nint value, nint errorBuffer, nuint errorBufferSize);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint DumpConf(nint conf, out nuint count);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint DefaultTopicConf(nint conf);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void FreeDump(nint array, nuint count);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void ShowProperties(nint file);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint OpenFile(nint path, nint mode);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CloseFile(nint file);

    /// <summary>Binds the API on a loaded librdkafka handle.</summary>
    /// <exception cref="EntryPointNotFoundException">A function is missing (a very old librdkafka).</exception>
    public static LibrdkafkaConfigApi Create(nint handle) => new(handle);

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> on a fresh configuration and reports librdkafka's answer.</summary>
    public (LibrdkafkaConfResult Result, string Error) TrySet(string name, string value)
    {
        var conf = _confNew();
        var namePtr = Marshal.StringToCoTaskMemUTF8(name);
        var valuePtr = Marshal.StringToCoTaskMemUTF8(value);
        var error = Marshal.AllocHGlobal(ErrorBufferSize);
        try
        {
            Marshal.WriteByte(error, 0);
            var result = _confSet(conf, namePtr, valuePtr, error, ErrorBufferSize);

            // librdkafka leaves text in the buffer even on success (it tries the global table before the topic table).
            return (result, result == LibrdkafkaConfResult.Ok ? string.Empty : Marshal.PtrToStringUTF8(error) ?? string.Empty);
        }
        finally
        {
            Marshal.FreeHGlobal(error);
            Marshal.FreeCoTaskMem(valuePtr);
            Marshal.FreeCoTaskMem(namePtr);
            _confDestroy(conf);
        }
    }

    /// <summary>Names and values of every global property that has a value in a fresh configuration.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DumpGlobal()
    {
        var conf = _confNew();
        try
        {
            return Dump(_confDump(conf, out var count), count);
        }
        finally
        {
            _confDestroy(conf);
        }
    }

    /// <summary>Names and values of every topic property that has a value in a fresh topic configuration.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DumpTopic()
    {
        var conf = _topicConfNew();
        try
        {
            return Dump(_topicConfDump(conf, out var count), count);
        }
        finally
        {
            _topicConfDestroy(conf);
        }
    }

    /// <summary>
    /// The configuration librdkafka ends up with when given <paramref name="properties"/> (Confluent.Kafka's own
    /// <c>dotnet.*</c> properties are skipped, as Confluent.Kafka does): every global property with a value, then every
    /// property of the default topic configuration, as <c>name=value</c> pairs with topic ones prefixed <c>topic.</c>.
    /// </summary>
    /// <exception cref="ArgumentException">librdkafka refused a property.</exception>
    public IReadOnlyList<KeyValuePair<string, string>> DumpEffective(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var conf = _confNew();
        var error = Marshal.AllocHGlobal(ErrorBufferSize);
        try
        {
            foreach (var (name, value) in properties)
            {
                if (name.StartsWith("dotnet.", StringComparison.Ordinal))
                {
                    continue;
                }

                var namePtr = Marshal.StringToCoTaskMemUTF8(name);
                var valuePtr = Marshal.StringToCoTaskMemUTF8(value);
                try
                {
                    Marshal.WriteByte(error, 0);
                    if (_confSet(conf, namePtr, valuePtr, error, ErrorBufferSize) != LibrdkafkaConfResult.Ok)
                    {
                        throw new ArgumentException($"librdkafka refused {name}={value}: {Marshal.PtrToStringUTF8(error)}", nameof(properties));
                    }
                }
                finally
                {
                    Marshal.FreeCoTaskMem(valuePtr);
                    Marshal.FreeCoTaskMem(namePtr);
                }
            }

            var entries = Dump(_confDump(conf, out var count), count);
            var topicConf = _defaultTopicConf(conf);
            if (topicConf != IntPtr.Zero)
            {
                foreach (var (name, value) in Dump(_topicConfDump(topicConf, out var topicCount), topicCount))
                {
                    entries.Add(new("topic." + name, value));
                }
            }

            return entries;
        }
        finally
        {
            Marshal.FreeHGlobal(error);
            _confDestroy(conf);
        }
    }

    /// <summary>
    /// The property table librdkafka prints with <c>rd_kafka_conf_properties_show</c>: every global and topic
    /// property with its scope, range, default and description, aliases included (the dumps omit aliases and
    /// properties without a value). Needs the C library's <c>fopen</c>, so only on Linux and macOS; null elsewhere.
    /// </summary>
    public string? ShowPropertyTable()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        var libcName = OperatingSystem.IsLinux() ? "libc.so.6" : "/usr/lib/libSystem.B.dylib";
        if (!NativeLibrary.TryLoad(libcName, out var libc))
        {
            return null;
        }

        var open = Bind<OpenFile>(libc, "fopen");
        var close = Bind<CloseFile>(libc, "fclose");
        var path = Path.GetTempFileName();
        var pathPtr = Marshal.StringToCoTaskMemUTF8(path);
        var modePtr = Marshal.StringToCoTaskMemUTF8("w");
        try
        {
            var file = open(pathPtr, modePtr);
            if (file == IntPtr.Zero)
            {
                return null;
            }

            _propertiesShow(file);
            close(file);
            return File.ReadAllText(path, Encoding.UTF8);
        }
        finally
        {
            Marshal.FreeCoTaskMem(modePtr);
            Marshal.FreeCoTaskMem(pathPtr);
            File.Delete(path);
        }
    }

    private List<KeyValuePair<string, string>> Dump(nint array, nuint count)
    {
        var entries = new List<KeyValuePair<string, string>>((int)count / 2);
        try
        {
            for (var i = 0; i + 1 < (int)count; i += 2)
            {
                var name = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(array, i * IntPtr.Size)) ?? string.Empty;
                var value = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(array, (i + 1) * IntPtr.Size)) ?? string.Empty;
                entries.Add(new(name, value));
            }
        }
        finally
        {
            _dumpFree(array, count);
        }

        return entries;
    }

    private static T Bind<T>(nint handle, string export)
        where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(handle, export));
}
