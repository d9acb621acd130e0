using ActorStore.Cluster.Jobs;
using Xunit;
using static ActorStore.Cluster.Jobs.JobProtocol;

namespace ActorStore.Cluster.Tests.Jobs;

public sealed class JobRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0 3 * * *", "2026-12-05T03:00:00+00:00")]
    [InlineData("*/10 * * * * *", "2026-12-04T12:00:10+00:00")]
    [InlineData("*/15 * * * *", "2026-12-04T12:15:00+00:00")]
    public void A_schedule_is_five_cron_fields_or_six_with_seconds_in_utc(string cron, string next)
    {
        Assert.True(JobSchedule.TryParse(cron, out var schedule, out var why), why);
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), schedule!.Next(T0));
    }

    [Theory]
    [InlineData("every minute")]
    [InlineData("* * *")]
    [InlineData("61 * * * *")]
    public void A_bad_schedule_says_how_to_write_one(string cron)
    {
        Assert.False(JobSchedule.TryParse(cron, out _, out var why));
        Assert.Contains("is not a cron expression", why);
    }

    [Fact]
    public void A_job_applies_to_volumes_that_name_it_or_its_group_and_group_default_to_those_that_name_nothing()
    {
        var members = new JobMembership();
        var named = new JobSpec("nightly", "0 3 * * *", "backup", 7, 1, []);
        var grouped = new JobSpec("hourly", "0 * * * *", "snapshot", 24, 2, ["gold"]);
        var fallback = new JobSpec("daily", "0 0 * * *", "snapshot", 3, 1, [JobMembership.DefaultGroup]);
        members.Add("a", "job:nightly");
        members.Add("b", "group:gold");
        Assert.True(members.AppliesTo(named, "a"));
        Assert.False(members.AppliesTo(named, "b"));
        Assert.True(members.AppliesTo(grouped, "b"));
        Assert.False(members.AppliesTo(fallback, "a"));
        Assert.True(members.AppliesTo(fallback, "c")); // names nothing: group default
        members.Remove("a", "job:nightly");
        Assert.True(members.AppliesTo(fallback, "a"));
        Assert.Null(JobMembership.Invalid("group:gold"));
        Assert.NotNull(JobMembership.Invalid("gold"));
    }
}
