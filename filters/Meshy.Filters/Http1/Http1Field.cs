namespace Meshy.Filters.Http1;

/// <summary>
/// One field line of a <see cref="Http1HeaderStore"/>: byte ranges of its name and value (without
/// the surrounding whitespace) in the store's raw bytes, and what kind of field it is.
/// </summary>
/// <param name="NameOffset">Start of the name in <see cref="Http1HeaderStore.Raw"/>.</param>
/// <param name="NameLength">Length of the name.</param>
/// <param name="ValueOffset">Start of the trimmed value in <see cref="Http1HeaderStore.Raw"/>.</param>
/// <param name="ValueLength">Length of the trimmed value; 0 for an empty value.</param>
/// <param name="Known">The field's kind, or <see cref="Http1KnownHeader.None"/>.</param>
internal readonly record struct Http1Field(int NameOffset, int NameLength, int ValueOffset, int ValueLength, Http1KnownHeader Known);
