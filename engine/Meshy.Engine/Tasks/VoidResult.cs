namespace Meshy.Engine.Tasks;

/// <summary>The result of a method that returns none, for boxes shared with methods that do.</summary>
internal readonly struct VoidResult;
