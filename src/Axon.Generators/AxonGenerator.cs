using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Axon.Language;
using Axon.Language.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RoslynSeverity = Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Axon.Generators;

/// <summary>
/// Turns every <c>.axon</c> AdditionalFile into typed C#: records for its types, a <c>…Flow</c> class per
/// flow, a program class with its personas, contexts, anchors, tools, memories and runs, and one
/// <c>AddAxon</c> DI extension for the project. Front-end diagnostics are reported in the <c>.axon</c> file.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AxonGenerator : IIncrementalGenerator
{
    /// <summary>The per-file metadata that keeps an <c>.axon</c> AdditionalFile out of generation.</summary>
    public const string ExcludeMetadata = "build_metadata.AdditionalFiles.AxonExclude";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var options = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => ReadOptions(provider.GlobalOptions))
            .WithTrackingName(TrackingNames.Options);

        // Text is read once per file change; a C# edit leaves these inputs (and everything below) Cached.
        var inputs = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".axon", StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => ReadInput(pair.Left, pair.Right, ct))
            .Where(static input => input is not null)
            .Select(static (input, _) => input!)
            .WithTrackingName(TrackingNames.Input);

        var results = inputs.Combine(options)
            .Select(static (pair, ct) => CompileFile(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.Compile);

        // Source and diagnostics are separate outputs: the source has no positions, so a whitespace or
        // comment edit changes only the diagnostics' locations and the source step stays Unchanged.
        var sources = results.Select(static (r, _) => r.File).WithTrackingName(TrackingNames.Emit);
        context.RegisterSourceOutput(sources, static (spc, file) =>
        {
            if (file is null) return;
            try
            {
                spc.AddSource(file.HintName, SourceText.From(file.Source, Encoding.UTF8));
            }
            catch (ArgumentException)
            {
                // The same file listed twice as an AdditionalFile: its code is already generated once.
            }
        });

        var diagnostics = results.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list) spc.ReportDiagnostic(d.ToDiagnostic());
        });

        var services = results.Select(static (r, _) => r.FlowClasses).Collect()
            .Combine(options)
            .Select(static (pair, _) => pair.Left.IsDefaultOrEmpty ? null
                : new ServicesModel(pair.Right.Namespace, pair.Right.Backend, new EquatableArray<string>(pair.Left.SelectMany(f => f).OrderBy(n => n, StringComparer.Ordinal).ToArray())))
            .WithTrackingName(TrackingNames.Services);
        context.RegisterSourceOutput(services, static (spc, model) =>
        {
            if (model is not null) spc.AddSource("AxonFlowsServiceCollectionExtensions.g.cs", SourceText.From(ServicesEmitter.Emit(model), Encoding.UTF8));
        });

        context.RegisterSourceOutput(options, static (spc, o) =>
        {
            if (!Backends.IsKnown(o.Backend))
                spc.ReportDiagnostic(new DiagnosticInfo("AXN3001", "Unknown backend",
                    $"Unknown AXON backend '{o.Backend}' in <AxonBackend>. Available: {string.Join(", ", Backends.Names)}", RoslynSeverity.Error, "", default, default).ToDiagnostic());
        });
    }

    internal static GeneratorOptions ReadOptions(AnalyzerConfigOptions global)
    {
        static string Get(AnalyzerConfigOptions o, string key) => o.TryGetValue(key, out var v) && v is not null ? v.Trim() : "";
        var ns = Get(global, "build_property.AxonNamespace");
        if (ns.Length == 0) ns = Get(global, "build_property.RootNamespace");
        var backend = Get(global, "build_property.AxonBackend");
        return new GeneratorOptions(CleanNamespace(ns), backend.Length == 0 ? Backends.Default : backend, Get(global, "build_property.ProjectDir"));
    }

    private static string CleanNamespace(string ns)
    {
        var parts = ns.Split('.').Where(p => p.Length > 0).Select(p => Names.Identifier(p)).ToArray();
        return parts.Length == 0 ? "AxonGenerated" : string.Join(".", parts);
    }

    private static AxonInput? ReadInput(AdditionalText text, AnalyzerConfigOptionsProvider provider, CancellationToken ct)
    {
        if (provider.GetOptions(text).TryGetValue(ExcludeMetadata, out var exclude) && string.Equals(exclude?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            return null;
        var content = text.GetText(ct);
        return new AxonInput(text.Path, content?.ToString() ?? "\0unreadable");
    }

    /// <summary>Runs the front end and the emitter on one file. Never throws except for cancellation.</summary>
    internal static FileResult CompileFile(AxonInput input, GeneratorOptions options, CancellationToken ct)
    {
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            ct.ThrowIfCancellationRequested();
            var map = new SourceMap(input.Text);
            var compilation = AxonCompiler.Compile(input.Text, generateIr: true, recover: true);
            ct.ThrowIfCancellationRequested();
            foreach (var d in compilation.Diagnostics)
            {
                var (span, lineSpan) = map.Span(d.Span.StartLine, d.Span.StartColumn, d.Span.EndLine, d.Span.EndColumn);
                var related = d.Related.Select(r =>
                {
                    var (rs, rl) = map.Span(r.Span.StartLine, r.Span.StartColumn, r.Span.EndLine, r.Span.EndColumn);
                    return new RelatedSpan(rs, rl);
                }).ToArray();
                diagnostics.Add(new DiagnosticInfo(d.Code, "AXON " + d.Phase.ToString().ToLowerInvariant() + " " + Language.Diagnostic.SeverityText(d.Severity),
                    d.Message, ToRoslyn(d.Severity), input.Path, span, lineSpan) { Related = new EquatableArray<RelatedSpan>(related) });
            }
            // Partial generation: a file with errors still gets the C# of its valid declarations, and its broken flows keep
            // their signatures (methods that throw), so one typo is one error, not a cascade of CS0246 in the user's code.
            var ir = compilation.Ir ?? compilation.Recovered?.Ir;
            if (ir is null)
                return new FileResult(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()), EquatableArray<string>.Empty);
            // The generator's own warnings on a partial program would repeat what the errors already say.
            var emitterDiagnostics = compilation.Ir is null ? new List<DiagnosticInfo>() : diagnostics;
            var (source, flows) = Emitter.Emit(ir, input.Path, input.Text, options, emitterDiagnostics, compilation.Recovered?.BrokenFlows);
            ct.ThrowIfCancellationRequested();
            return new FileResult(new GeneratedFile(Emitter.HintName(input.Path, options.ProjectDirectory), source),
                new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()), new EquatableArray<string>(flows));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A generator that throws is reported as CS8785 and generates nothing for the whole project;
            // an internal error in one file must stay a diagnostic on that file.
            diagnostics.Add(new DiagnosticInfo("AXN3003", "Internal generator error",
                $"Internal error while generating C# for this file: {ex.GetType().Name}: {ex.Message}", RoslynSeverity.Error, input.Path, default, default));
            return new FileResult(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()), EquatableArray<string>.Empty);
        }
    }

    private static RoslynSeverity ToRoslyn(Language.DiagnosticSeverity s) => s switch
    {
        Language.DiagnosticSeverity.Error => RoslynSeverity.Error,
        Language.DiagnosticSeverity.Warning => RoslynSeverity.Warning,
        _ => RoslynSeverity.Info,
    };
}
