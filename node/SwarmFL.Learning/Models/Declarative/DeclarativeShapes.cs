namespace SwarmFL.Learning.Models.Declarative;

/// <summary>
/// Chains the per-sample shapes through the layers, as PyTorch would compute them, and lists every tensor the layers
/// define. A layer whose input does not fit is refused with its index and type, the field and the shapes.
/// </summary>
public static class DeclarativeShapes
{
    /// <summary>A model with more elements than this (1 GiB of float32) is refused before anything is allocated.</summary>
    public const long MaxElements = 1L << 28;

    public sealed record Result(IReadOnlyList<IReadOnlyList<int>> Outputs, IReadOnlyList<TensorSpec> Tensors)
    {
        public IReadOnlyList<int> Output => Outputs[^1];
    }

    public static Result Infer(DeclarativeSpec spec, string what)
    {
        var shape = spec.Input.ToArray();
        var outputs = new List<IReadOnlyList<int>>();
        var tensors = new List<TensorSpec>();
        long elements = 0;
        foreach (var layer in spec.Layers)
        {
            var fail = (string message) => DeclarativeParser.Error(what, $"{layer.Label}: {message}");
            var isInteger = spec.InputType == "int64" && layer.Index == 0;
            if (layer.Type == "embedding" && layer.Index != 0) throw fail("an embedding must be the first layer (it reads the int64 token ids)");
            if (layer.Type == "embedding" && spec.InputType != "int64") throw fail("an embedding reads token ids: set \"inputType\": \"int64\"");
            if (isInteger && layer.Type != "embedding") throw fail("with \"inputType\": \"int64\" the first layer must be an embedding");
            var prefix = layer.ModuleName + ".";
            void Add(string name, int[] dims, TensorDType dtype = TensorDType.F32)
            {
                var count = dims.Aggregate(1L, (a, d) => a * d);
                elements += count;
                if (elements > MaxElements) throw fail($"the model exceeds {MaxElements} elements (tensor {prefix}{name} {TensorShape(dims)})");
                tensors.Add(new TensorSpec(prefix + name, dims, dtype));
            }
            shape = layer.Type switch
            {
                "linear" => Linear(layer, shape, fail, Add),
                "conv1d" or "conv2d" => Convolution(layer, shape, fail, Add),
                "batchnorm1d" or "batchnorm2d" => BatchNorm(layer, shape, fail, Add),
                "layernorm" => LayerNorm(shape, Add),
                "maxpool1d" or "maxpool2d" or "avgpool1d" or "avgpool2d" => Pool(layer, shape, fail),
                "adaptiveavgpool1d" or "adaptiveavgpool2d" => AdaptivePool(layer, shape, fail),
                "flatten" => Flatten(shape, fail),
                "embedding" => Embedding(layer, shape, fail, Add),
                "lstm" or "gru" => Recurrent(layer, shape, fail, Add),
                _ => shape, // dropout and the activations keep the shape
            };
            outputs.Add(shape);
        }
        var output = outputs[^1];
        if (output.Count > 1)
            throw DeclarativeParser.Error(what, $"the model's output per sample is {TensorShape(output)}; it must be one vector per sample (classes, or 1 for regression): end with a linear layer, after a flatten if needed");
        return new Result(outputs, tensors);
    }

    private static int[] Linear(DeclaredLayer layer, int[] shape, Func<string, Exception> fail, Action<string, int[], TensorDType> add)
    {
        var features = shape[^1];
        var outFeatures = (int)layer.Int("out");
        add("weight", [outFeatures, features], TensorDType.F32);
        if (layer.Flag("bias")) add("bias", [outFeatures], TensorDType.F32);
        return [.. shape[..^1], outFeatures];
    }

    private static int[] Convolution(DeclaredLayer layer, int[] shape, Func<string, Exception> fail, Action<string, int[], TensorDType> add)
    {
        var spatial = layer.Type == "conv1d" ? 1 : 2;
        if (shape.Length != spatial + 1)
            throw fail($"input {TensorShape(shape)} does not fit: {layer.Type} needs [channels, {(spatial == 1 ? "length" : "height, width")}] per sample");
        var (outChannels, kernel, stride, padding) = ((int)layer.Int("out"), (int)layer.Int("kernel"), (int)layer.Int("stride"), (int)layer.Int("padding"));
        var result = new int[spatial + 1];
        result[0] = outChannels;
        for (var d = 1; d <= spatial; d++)
        {
            var padded = shape[d] + 2 * padding;
            if (kernel > padded)
                throw fail($"field 'kernel': {kernel} is larger than the padded input ({shape[d]} + 2×{padding} = {padded}) of input {TensorShape(shape)}");
            result[d] = (padded - kernel) / stride + 1;
        }
        add("weight", [outChannels, shape[0], .. Enumerable.Repeat(kernel, spatial)], TensorDType.F32);
        if (layer.Flag("bias")) add("bias", [outChannels], TensorDType.F32);
        return result;
    }

    private static int[] BatchNorm(DeclaredLayer layer, int[] shape, Func<string, Exception> fail, Action<string, int[], TensorDType> add)
    {
        var ok = layer.Type == "batchnorm1d" ? shape.Length is 1 or 2 : shape.Length == 3;
        if (!ok)
            throw fail($"input {TensorShape(shape)} does not fit: {layer.Type} needs " + (layer.Type == "batchnorm1d" ? "[features] or [channels, length]" : "[channels, height, width]") + " per sample");
        var channels = shape[0];
        add("weight", [channels], TensorDType.F32);
        add("bias", [channels], TensorDType.F32);
        add("running_mean", [channels], TensorDType.F32);
        add("running_var", [channels], TensorDType.F32);
        add("num_batches_tracked", [], TensorDType.I64);
        return shape;
    }

    private static int[] LayerNorm(int[] shape, Action<string, int[], TensorDType> add)
    {
        add("weight", [shape[^1]], TensorDType.F32);
        add("bias", [shape[^1]], TensorDType.F32);
        return shape;
    }

    private static int[] Pool(DeclaredLayer layer, int[] shape, Func<string, Exception> fail)
    {
        var spatial = layer.Type.EndsWith("1d", StringComparison.Ordinal) ? 1 : 2;
        if (shape.Length != spatial + 1)
            throw fail($"input {TensorShape(shape)} does not fit: {layer.Type} needs [channels, {(spatial == 1 ? "length" : "height, width")}] per sample");
        var (kernel, stride) = ((int)layer.Int("kernel"), (int)layer.Int("stride"));
        var result = (int[])shape.Clone();
        for (var d = 1; d <= spatial; d++)
        {
            if (kernel > shape[d]) throw fail($"field 'kernel': {kernel} is larger than the input {TensorShape(shape)}");
            result[d] = (shape[d] - kernel) / stride + 1;
        }
        return result;
    }

    private static int[] AdaptivePool(DeclaredLayer layer, int[] shape, Func<string, Exception> fail)
    {
        if (layer.Type == "adaptiveavgpool1d")
        {
            if (shape.Length != 2) throw fail($"input {TensorShape(shape)} does not fit: adaptiveavgpool1d needs [channels, length] per sample");
            return [shape[0], (int)layer.Int("output")];
        }
        if (shape.Length != 3) throw fail($"input {TensorShape(shape)} does not fit: adaptiveavgpool2d needs [channels, height, width] per sample");
        var (h, w) = layer.Pair("output");
        return [shape[0], (int)h, (int)w];
    }

    private static int[] Flatten(int[] shape, Func<string, Exception> fail)
    {
        var count = shape.Aggregate(1L, (a, d) => a * d);
        if (count > 1 << 30) throw fail($"input {TensorShape(shape)} flattens to {count} features, too many");
        return [(int)count];
    }

    private static int[] Embedding(DeclaredLayer layer, int[] shape, Func<string, Exception> fail, Action<string, int[], TensorDType> add)
    {
        var dim = (int)layer.Int("dim");
        add("weight", [(int)layer.Int("num"), dim], TensorDType.F32);
        return [.. shape, dim];
    }

    private static int[] Recurrent(DeclaredLayer layer, int[] shape, Func<string, Exception> fail, Action<string, int[], TensorDType> add)
    {
        if (shape.Length != 2) throw fail($"input {TensorShape(shape)} does not fit: {layer.Type} needs [steps, features] per sample (batch first)");
        var hidden = (int)layer.Int("hidden");
        var gates = layer.Type == "lstm" ? 4 : 3;
        for (var l = 0; l < layer.Int("layers"); l++)
        {
            var input = l == 0 ? shape[1] : hidden;
            add($"weight_ih_l{l}", [gates * hidden, input], TensorDType.F32);
            add($"weight_hh_l{l}", [gates * hidden, hidden], TensorDType.F32);
            add($"bias_ih_l{l}", [gates * hidden], TensorDType.F32);
            add($"bias_hh_l{l}", [gates * hidden], TensorDType.F32);
        }
        return layer.Text("output") == "last" ? [hidden] : [shape[0], hidden];
    }

    public static string TensorShape(IReadOnlyList<int> shape) => "[" + string.Join(",", shape) + "]";
}
