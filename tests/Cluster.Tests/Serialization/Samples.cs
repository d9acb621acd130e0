using System.Collections;
using System.Reflection;

namespace ActorStore.Cluster.Tests.Serialization;

/// <summary>
/// Builds a sample instance of a message type by reflection: every constructor parameter gets a
/// non-default value (strings, ids, numbers, the last enum value, one-element lists and dictionaries,
/// nested records built the same way), so a field lost in a round trip shows.
/// </summary>
public static class Samples
{
    private static readonly DateTimeOffset When = new(2025, 6, 7, 8, 9, 10, 123, TimeSpan.FromHours(2));

    public static IEnumerable<Type> ConcreteTypesOf(Type marker) =>
        marker.Assembly.GetTypes().Where(t => !t.IsAbstract && !t.IsInterface && marker.IsAssignableFrom(t)).OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static object Create(Type type) => Create(type, "x", 0)!;


    private static object? Create(Type type, string name, int depth)
    {
        if (depth > 6) throw new InvalidOperationException($"{type} nests too deep for a sample");
        var nullable = Nullable.GetUnderlyingType(type);
        if (nullable is not null) return Create(nullable, name, depth);
        if (type == typeof(string)) return $"{name}-sample";
        if (type == typeof(Guid)) return new Guid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        if (type == typeof(long)) return 123_456_789_012L;
        if (type == typeof(int)) return 42;
        if (type == typeof(short)) return (short)7;
        if (type == typeof(byte)) return (byte)9;
        if (type == typeof(double)) return 1.5;
        if (type == typeof(bool)) return true;
        if (type == typeof(DateTimeOffset)) return When;
        if (type == typeof(DateTime)) return When.UtcDateTime;
        if (type == typeof(TimeSpan)) return TimeSpan.FromSeconds(90);
        if (type.IsEnum) return Enum.GetValues(type).Cast<object>().Last();
        if (type.IsArray)
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(Create(type.GetElementType()!, name, depth + 1), 0);
            return array;
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            if (definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>))
            {
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
                dictionary.Add(Create(args[0], name + "-key", depth + 1)!, Create(args[1], name + "-value", depth + 1));
                return dictionary;
            }
            if (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>))
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(args))!;
                list.Add(Create(args[0], name + "-item", depth + 1));
                return list;
            }
        }
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (constructor is null)
        {
            if (type.IsValueType) return Activator.CreateInstance(type);
            throw new InvalidOperationException($"no public constructor on {type}");
        }
        var parameters = constructor.GetParameters();
        if (parameters.Length == 0) return constructor.Invoke([]);
        return constructor.Invoke(parameters.Select(p => Create(p.ParameterType, p.Name ?? name, depth + 1)).ToArray());
    }
}
