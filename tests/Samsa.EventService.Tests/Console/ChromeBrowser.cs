using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests.Console;

/// <summary>
/// Debian's headless chromium driven through its chromium-driver (both installed by scripts/install-test-deps.sh; no
/// browser is downloaded). One per test class; screenshots go to artifacts/screenshots.
/// </summary>
public sealed class ChromeBrowser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public ChromeBrowser()
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} or {DriverPath} is missing; scripts/install-test-deps.sh installs chromium and chromium-driver.");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000", "--no-first-run");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
    }

    public ChromeDriver Driver { get; }

    public static string ScreenshotDirectory => Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");

    public void Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        Driver.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotDirectory, name + ".png"));
    }

    /// <summary>The browser console's errors since the last call (SEVERE entries: script errors, failed loads).</summary>
    public List<string> ConsoleErrors() =>
        [.. Driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level == LogLevel.Severe).Select(e => e.Message)];

    /// <summary>Polls <paramref name="read"/> until it returns a value meeting <paramref name="condition"/>, or fails after <see cref="Wait"/> with a screenshot.</summary>
    public T WaitFor<T>(Func<T> read, Func<T, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        T last = default!;
        while (clock.Elapsed < Wait)
        {
            try
            {
                last = read();

                if (condition(last))
                {
                    return last;
                }
            }
            catch (Exception exception) when (exception is NoSuchElementException or StaleElementReferenceException)
            {
            }

            Thread.Sleep(100);
        }

        Screenshot("timeout-" + string.Concat(what.Where(char.IsLetterOrDigit)));
        throw new TimeoutException($"The page did not show {what} within {Wait.TotalSeconds} s (last seen: {last}).");
    }

    /// <summary>The text of the first element matching <paramref name="css"/>, read in one script call (the page re-renders its tables while polling), or null.</summary>
    public string? Text(string css) => (string?)Driver.ExecuteScript("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css);

    /// <summary>An attribute of the first element matching <paramref name="css"/>, read in one script call, or null.</summary>
    public string? Attribute(string css, string name) =>
        (string?)Driver.ExecuteScript("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css, name);

    /// <summary>Waits for <paramref name="css"/> and clicks it, finding it again if the page re-rendered it in between.</summary>
    public void Click(string css, string what) =>
        WaitFor(
            () =>
            {
                Driver.FindElement(By.CssSelector(css)).Click();
                return true;
            },
            done => done,
            what);

    /// <summary>Waits until an element matching <paramref name="css"/> has text meeting <paramref name="condition"/>; returns that text.</summary>
    public string WaitForText(string css, Func<string, bool> condition, string what) =>
        WaitFor(() => Text(css) ?? "", condition, what);

    public IWebElement WaitForElement(string css, string what) =>
        WaitFor(() => Driver.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed), e => e is not null, what)!;

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
