using System.Collections.Concurrent;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Abi;

/// <summary>
/// Typed Nethereum contract messages (the generated bindings: function messages, output DTOs, event DTOs, error DTOs)
/// on top of our strict layer. Nethereum encodes calls and fills DTOs; before any DTO is filled from bytes that came
/// from a chain node, our <see cref="AbiDecoder"/> checks them against the same types, because Nethereum's decoder
/// accepts dirty address bytes, bool = 2, uint8 = 0x1ff, strings that run past the data and overlapping offsets. The
/// strict descriptions (<see cref="AbiFunction"/>, <see cref="AbiEvent"/>, <see cref="AbiError"/>) are derived from the
/// DTOs' attributes, so the generated bindings stay the one owner of the contract's interface.
/// </summary>
public static class TypedAbi
{
    private static readonly ConcurrentDictionary<(Type, Type?), AbiFunction> Functions = new();
    private static readonly ConcurrentDictionary<Type, AbiEvent> Events = new();
    // Nethereum's encoders and extractors are created per use: they are cheap, and nothing documents them as thread-safe.
    private static AttributesToABIExtractor Extractor => new();

    /// <summary>The strict description of a function message and, for a view, its output DTO.</summary>
    public static AbiFunction Function<TFunction>(Type? output = null) where TFunction : FunctionMessage =>
        Functions.GetOrAdd((typeof(TFunction), output), key =>
        {
            var abi = ABITypedRegistry.GetFunctionABI(key.Item1);
            var outputs = key.Item2 is null ? [] : Extractor.ExtractParametersFromAttributes(key.Item2);
            return new AbiFunction(abi.Name, Strict(abi.InputParameters), Strict(outputs));
        });

    public static AbiFunction Function<TFunction, TOutput>() where TFunction : FunctionMessage where TOutput : IFunctionOutputDTO =>
        Function<TFunction>(typeof(TOutput));

    public static AbiEvent Event<TEvent>() where TEvent : IEventDTO => Event(typeof(TEvent));

    public static AbiEvent Event(Type eventDto) => Events.GetOrAdd(eventDto, type =>
    {
        var abi = ABITypedRegistry.GetEvent(type);
        return new AbiEvent(abi.Name, Strict(abi.InputParameters));
    });

    public static AbiError Error(Type errorDto)
    {
        var abi = ABITypedRegistry.GetError(errorDto);
        return new AbiError(abi.Name, Strict(abi.InputParameters));
    }

    /// <summary>Every error DTO declared in the namespace of <typeparamref name="TAnyError"/> (the generated errors of one contract).</summary>
    public static IReadOnlyList<AbiError> ErrorsInNamespaceOf<TAnyError>() where TAnyError : IErrorDTO =>
        typeof(TAnyError).Assembly.GetTypes()
            // The generator puts [Error] on XErrorBase and derives a partial XError from it: take each declaration once.
            .Where(t => t.Namespace == typeof(TAnyError).Namespace && t.IsDefined(typeof(ErrorAttribute), inherit: false))
            .Select(Error)
            .OrderBy(e => e.Signature, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The parameters of a constructor (deployment message) type.</summary>
    public static IReadOnlyList<AbiParameter> Parameters(Type messageType) => Strict(Extractor.ExtractParametersFromAttributes(messageType));

    /// <summary>Selector and arguments, encoded by Nethereum from the message's attributes.</summary>
    public static byte[] EncodeCall<TFunction>(TFunction message) where TFunction : FunctionMessage =>
        [.. Function<TFunction>().Selector, .. new ParametersEncoder().EncodeParametersFromTypeAttributes(typeof(TFunction), message)];

    /// <summary>A view's output: strictly checked, then filled into the DTO by Nethereum.</summary>
    public static TOutput DecodeOutput<TOutput>(AbiFunction function, byte[] output) where TOutput : IFunctionOutputDTO, new()
    {
        function.DecodeOutput(output);
        return Filled(() => new FunctionCallDecoder().DecodeFunctionOutput<TOutput>(Hex.Encode(output)), function.Signature);
    }

    /// <summary>An event's topics and data: strictly checked, then filled into the DTO by Nethereum.</summary>
    public static TEvent DecodeEvent<TEvent>(IReadOnlyList<byte[]> topics, byte[] data) where TEvent : IEventDTO, new()
    {
        var abi = Event<TEvent>();
        abi.Decode(topics, data);
        return Filled(() => new EventTopicDecoder().DecodeTopics<TEvent>(topics.Select(t => (object)Hex.Encode(t)).ToArray(), Hex.Encode(data)),
            abi.Signature);
    }

    /// <summary>Data that passed the strict check and still fails Nethereum (it should not) is a FormatException, like any bad data.</summary>
    private static T Filled<T>(Func<T> decode, string what)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is not OutOfMemoryException and not FormatException)
        {
            throw new FormatException($"ABI: {what}: {e.Message}", e);
        }
    }

    private static IReadOnlyList<AbiParameter> Strict(IEnumerable<Parameter>? parameters) =>
        (parameters ?? []).OrderBy(p => p.Order)
            .Select(p => new AbiParameter(p.Name ?? "", StrictType(p.ABIType, p.DecodedType), p.Indexed))
            .ToArray();

    /// <summary>
    /// Nethereum names a struct just "tuple" until its components are read from the DTO's attributes, so tuples (and
    /// arrays of them) are resolved through the .NET type of the property that holds them.
    /// </summary>
    private static AbiType StrictType(Nethereum.ABI.ABIType type, Type? dotnetType)
    {
        switch (type)
        {
            case Nethereum.ABI.TupleType tuple:
                if (tuple.Components is null)
                {
                    if (dotnetType is null) throw new InvalidOperationException($"ABI: tuple {type.Name} has neither components nor a .NET type");
                    Extractor.InitTupleComponentsFromTypeAttributes(dotnetType, tuple);
                }
                return new TupleType(tuple.Components!.OrderBy(c => c.Order).Select(c => StrictType(c.ABIType, c.DecodedType)).ToArray());
            case Nethereum.ABI.ArrayType array:
                // "T[]" or "T[k]": the outermost dimension is the last bracket of the name.
                var dimension = array.Name[(array.Name.LastIndexOf('[') + 1)..^1];
                int? length = dimension.Length == 0 ? null : int.Parse(dimension, System.Globalization.CultureInfo.InvariantCulture);
                return new ArrayType(StrictType(array.ElementType, ElementTypeOf(dotnetType)), length);
            default:
                return AbiType.Parse(type.CanonicalName);
        }
    }

    private static Type? ElementTypeOf(Type? collection) =>
        collection is null ? null
        : collection.IsArray ? collection.GetElementType()
        : collection.IsGenericType ? collection.GetGenericArguments()[0]
        : null;
}
