using System.Collections.Frozen;
using System.Collections.Immutable;
using Meshy.Conf.Schema;
using Meshy.Conf.Validation;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Meshy.Conf.Loading;

/// <summary>
/// Loads <c>meshy.toml</c>: TOML syntax (Tomlyn), then every key and value, then the references between
/// tables. Never throws for a bad file: every problem becomes a <see cref="ConfigDiagnostic"/>.
/// </summary>
public static class ConfigLoader
{
    /// <summary>
    /// Reads and loads <paramref name="path"/>. A missing or unreadable file is an error result
    /// (<c>PATH:1:1: (file): ...</c>), not an exception.
    /// </summary>
    public static ConfigLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            string reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException when Directory.Exists(path) => "is a directory, not a file",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message,
            };
            return Failed(path, new ConfigDiagnostic(path, 1, 1, ConfigDiagnostic.FileKeyPath, $"cannot read the config file: {reason}"));
        }
        return LoadText(text, path);
    }

    /// <summary>Loads config text; <paramref name="source"/> names it in diagnostics (usually the file path).</summary>
    public static ConfigLoadResult LoadText(string text, string source)
    {
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, source, validate: true);
        }
        catch (TomlException ex)
        {
            // NOTE: Parse reports problems as diagnostics; this is a guard against a parser bug, not a path we expect.
            return Failed(source, new ConfigDiagnostic(source, ex.Line ?? 1, ex.Column ?? 1, ConfigDiagnostic.FileKeyPath, ex.Message));
        }
        if (document.HasErrors)
        {
            return Failed(source, SyntaxErrors(document, source));
        }

        TomlTableNode root = TomlTreeBuilder.Build(document);
        var context = new BindContext(source);
        MeshyConfig config = ConfigBinder.Bind(root, context);
        ConfigValidator.Validate(config, context);
        ImmutableArray<ConfigDiagnostic> diagnostics = context.Diagnostics.ToSortedArray();
        return new ConfigLoadResult(source, diagnostics.IsEmpty ? config : null, diagnostics, context.Spans.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static ConfigLoadResult Failed(string source, params IEnumerable<ConfigDiagnostic> diagnostics) =>
        new(source, null, [.. diagnostics], FrozenDictionary<string, ConfigSpan>.Empty);

    private static IEnumerable<ConfigDiagnostic> SyntaxErrors(DocumentSyntax document, string source)
    {
        var locator = new SyntaxKeyLocator(document);
        foreach (DiagnosticMessage message in document.Diagnostics)
        {
            if (message.Kind != DiagnosticMessageKind.Error)
            {
                continue;
            }
            SourcePosition at = TomlTreeBuilder.ToPosition(message.Span.Start);
            yield return new ConfigDiagnostic(source, at.Line, at.Column, locator.NearestKeyPath(at), Reword(message.Message));
        }
    }

    // Tomlyn quotes the earlier definition with its newlines drawn as "␤"; keep the message on one line.
    private static string Reword(string message) =>
        message.Replace('␤', ' ').Replace('\n', ' ').Replace("\r", "", StringComparison.Ordinal).Trim();
}
