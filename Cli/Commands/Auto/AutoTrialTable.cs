using System.Globalization;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>The live trial table of <c>auto</c>: one row per trial (pipeline, metric, duration, peak memory), best marked.</summary>
internal sealed class AutoTrialTable : IMonitor
{
    private const int VisibleRows = 25;
    private readonly SweepablePipeline _pipeline;
    private readonly string _metric;
    private readonly List<string[]> _rows = new();
    private readonly object _gate = new();
    private int? _bestTrial;
    private string? _running;

    public AutoTrialTable(SweepablePipeline pipeline, string metric)
    {
        _pipeline = pipeline;
        _metric = metric;
    }

    /// <summary>Called after every change (the live display refreshes there).</summary>
    public Action? Changed { get; set; }

    public void ReportRunningTrial(TrialSettings settings)
    {
        lock (_gate)
            _running = $"running trial {settings.TrialId}: {_pipeline.Describe(settings.Parameter)}";
        Changed?.Invoke();
    }

    public void ReportCompletedTrial(TrialResult result, bool resumed) =>
        Add(result.TrialSettings, result.Metric.ToString("F4", CultureInfo.InvariantCulture), result, resumed ? "checkpoint" : "done");

    public void ReportFailTrial(TrialSettings settings, Exception exception) =>
        Add(settings, "-", null, "failed: " + exception.Message);

    public void ReportBestTrial(TrialResult result)
    {
        lock (_gate)
            _bestTrial = result.TrialSettings.TrialId;
        Changed?.Invoke();
    }

    /// <summary>Shows a progress line (baselines, refit, test scoring) under the table.</summary>
    public void ShowProgress(string line)
    {
        lock (_gate)
            _running = line;
        Changed?.Invoke();
    }

    /// <summary>The table as it stands (the last rows when there are many).</summary>
    public Table Render()
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("trial", "pipeline", _metric, "seconds", "peak MiB", "status");
        lock (_gate)
        {
            foreach (string[] row in _rows.Skip(Math.Max(0, _rows.Count - VisibleRows)))
            {
                bool best = row[0] == _bestTrial?.ToString(CultureInfo.InvariantCulture);
                table.AddRow(row.Select(cell => best ? $"[green]{Markup.Escape(cell)}[/]" : Markup.Escape(cell)).ToArray());
            }
            if (_running is not null)
                table.Caption($"[grey]{Markup.Escape(_running)}[/]");
        }
        return table;
    }

    private void Add(TrialSettings settings, string metric, TrialResult? result, string status)
    {
        lock (_gate)
        {
            _running = null;
            _rows.Add([
                settings.TrialId.ToString(CultureInfo.InvariantCulture),
                _pipeline.Describe(settings.Parameter),
                metric,
                result is null ? "-" : (result.DurationInMilliseconds / 1000).ToString("F1", CultureInfo.InvariantCulture),
                result is null ? "-" : result.PeakMemoryInMegaByte.ToString("F0", CultureInfo.InvariantCulture),
                status,
            ]);
        }
        Changed?.Invoke();
    }
}
