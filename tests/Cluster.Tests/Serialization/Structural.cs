using System.Collections;
using System.Reflection;
using Xunit.Sdk;

namespace ActorStore.Cluster.Tests.Serialization;

/// <summary>
/// Deep equality for messages (records compare lists by reference): values by Equals, dictionaries
/// by key, sequences element by element, everything else property by property.
/// </summary>
public static class Structural
{
    public static void AssertEqual(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null) Fail(path, expected, actual);
            return;
        }
        var type = expected.GetType();
        if (type.IsPrimitive || type.IsEnum || expected is string or Guid or decimal or DateTime or DateTimeOffset or TimeSpan)
        {
            if (!expected.Equals(actual)) Fail(path, expected, actual);
            return;
        }
        if (expected is IDictionary expectedMap)
        {
            if (actual is not IDictionary actualMap || actualMap.Count != expectedMap.Count) { Fail(path, expected, actual); return; }
            foreach (DictionaryEntry entry in expectedMap)
            {
                if (!actualMap.Contains(entry.Key)) Fail($"{path}[{entry.Key}]", entry.Value, "(missing)");
                AssertEqual(entry.Value, actualMap[entry.Key], $"{path}[{entry.Key}]");
            }
            return;
        }
        if (expected is IEnumerable expectedItems)
        {
            if (actual is not IEnumerable actualItems) { Fail(path, expected, actual); return; }
            var e = expectedItems.Cast<object?>().ToList();
            var a = actualItems.Cast<object?>().ToList();
            if (e.Count != a.Count) Fail(path + ".Count", e.Count, a.Count);
            for (var i = 0; i < e.Count; i++) AssertEqual(e[i], a[i], $"{path}[{i}]");
            return;
        }
        if (actual.GetType() != type) Fail(path + " (type)", type, actual.GetType());
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            AssertEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }

    private static void Fail(string path, object? expected, object? actual) =>
        throw new XunitException($"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
}
