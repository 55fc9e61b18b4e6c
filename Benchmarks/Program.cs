using BenchmarkDotNet.Running;

// dotnet run -c Release --project Benchmarks -- --filter *EncodeBenchmarks*
BenchmarkSwitcher.FromAssembly(typeof(MLNetExt.Benchmarks.EncodeBenchmarks).Assembly).Run(args);
