using Cronos;

namespace ActorStore.Cluster.Jobs;

/// <summary>A job's cron expression (Cronos): five fields as crontab, or six with seconds first; times are UTC.</summary>
public sealed class JobSchedule
{
    private readonly CronExpression _cron;

    private JobSchedule(CronExpression cron) => _cron = cron;

    public static bool TryParse(string text, out JobSchedule? schedule, out string why)
    {
        schedule = null;
        why = "";
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            why = $"'{text}' is not a cron expression: write five fields (minute hour day month weekday, e.g. \"0 3 * * *\") or six with seconds first";
            return false;
        }
        try
        {
            schedule = new JobSchedule(CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard));
            return true;
        }
        catch (CronFormatException e)
        {
            why = $"'{text}' is not a cron expression: {e.Message}";
            return false;
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _cron.GetNextOccurrence(after, TimeZoneInfo.Utc);
}
