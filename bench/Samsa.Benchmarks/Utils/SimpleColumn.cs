using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Samsa.Benchmarks.Utils;

/// <summary>
/// A custom numeric column that is always shown: what every extra column of these benchmarks has in common. A column
/// gives its header and legend and works out its value; its id is its class name.
/// </summary>
internal abstract class SimpleColumn(string columnName, string legend) : IColumn
{
    public string Id => GetType().Name;

    public string ColumnName { get; } = columnName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; } = legend;

    public abstract string GetValue(Summary summary, BenchmarkCase benchmarkCase);

    /// <summary>The same value whatever the style.</summary>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
