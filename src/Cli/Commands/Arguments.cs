using System.CommandLine;
using System.CommandLine.Parsing;

namespace ActorStore.Cli.Commands;

/// <summary>The arguments and options several palettes share, each validated before any request.</summary>
public static class Arguments
{
    /// <summary>A required name; <paramref name="kind"/> ("volume", "snapshot", "node", "disk") names it in errors.</summary>
    public static Argument<string> Name(string name, string kind, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result => CheckName(result, kind, result.GetValueOrDefault<string?>()));
        return argument;
    }

    /// <summary>An optional name given as an argument.</summary>
    public static Argument<string?> OptionalName(string name, string kind, string description)
    {
        var argument = new Argument<string?>(name) { Description = description, Arity = ArgumentArity.ZeroOrOne };
        argument.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0) CheckName(result, kind, result.GetValueOrDefault<string?>());
        });
        return argument;
    }

    /// <summary>An optional name given as an option, e.g. --to NODE.</summary>
    public static Option<string?> NameOption(string option, string kind, string description)
    {
        var result = new Option<string?>(option) { Description = description, HelpName = kind.ToUpperInvariant() };
        result.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string?>();
            if (value is not null && !Names.IsValid(value)) r.AddError(Names.Invalid(kind, value));
        });
        return result;
    }

    /// <summary>A required --size: 1GiB, 512MiB, 10G, or bytes.</summary>
    public static Option<long> Size(string description) => new("--size")
    {
        Description = description + " (binary units: 512MiB, 1GiB, 10G; a plain number is bytes)",
        HelpName = "SIZE",
        Required = true,
        CustomParser = result =>
        {
            if (Sizes.TryParse(result.Tokens.Count > 0 ? result.Tokens[^1].Value : "", out var bytes, out var error)) return bytes;
            result.AddError(error);
            return 0;
        },
    };

    /// <summary>A required on|off switch, read as true|false.</summary>
    public static Argument<bool> OnOff(string description) => new("on|off")
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (text is "on" or "off") return text == "on";
            result.AddError($"expected 'on' or 'off', not '{text}'");
            return false;
        },
    };

    /// <summary>--wait: follow the work until it is done, showing the rebuilds' progress.</summary>
    public static Option<bool> Wait(string description) => new("--wait") { Description = description };

    /// <summary>
    /// --wait-timeout DURATION, which goes with <paramref name="wait"/>: how long to wait at most (90s, 10m, 2h; a plain number is
    /// seconds); null when not given: no limit. Not --timeout: that one is every request's own limit, for every command.
    /// </summary>
    public static Option<TimeSpan?> WaitTimeout(Option<bool> wait)
    {
        var option = new Option<TimeSpan?>("--wait-timeout")
        {
            Description = "With --wait: give up (exit 4) after this long, e.g. 30m, 2h; the eviction goes on [default: no limit]",
            HelpName = "DURATION",
            CustomParser = result =>
            {
                if (Durations.TryParse(result.Tokens.Count > 0 ? result.Tokens[^1].Value : "", out var duration, out var error)) return duration;
                result.AddError(error);
                return null;
            },
        };
        option.Validators.Add(result =>
        {
            if (!result.Implicit && result.Parent is CommandResult command && !command.GetValue(wait))
                result.AddError("--wait-timeout goes with --wait");
        });
        return option;
    }

    private static void CheckName(SymbolResult result, string kind, string? value)
    {
        if (!Names.IsValid(value)) result.AddError(Names.Invalid(kind, value));
    }
}
