namespace Meshy.Filters.Http1;

/// <summary>Told when a body read by <see cref="Http1BodyReader"/> has been read to its end and released.</summary>
internal interface IHttp1BodyEndObserver
{
    /// <summary>
    /// Called from <see cref="Http1BodyReader.Advance"/> after the last body bytes were released: the pipe is
    /// free for another reader (the server connection then watches the client for a disconnect).
    /// </summary>
    void OnBodyEnd();
}
