using Meshy.Conf.Validation;

namespace Meshy.Conf.Tests.Validation;

public sealed class NameSuggesterTests
{
    private static readonly string[] ClusterKeys = ["name", "lb", "hash_on", "protocol", "connect_timeout", "endpoints", "subsets", "limits"];

    [Theory]
    [InlineData("conect_timeout", "connect_timeout")]
    [InlineData("Connect_Timeout", "connect_timeout")]
    [InlineData("endpionts", "endpoints")]
    [InlineData("LB", "lb")]
    [InlineData("nmae", "name")]
    [InlineData("subset", "subsets")]
    public void Suggest_LikelyTypo_GivesIntendedKey(string typo, string expected)
    {
        Assert.Equal(expected, NameSuggester.Suggest(typo, ClusterKeys));
    }

    [Theory]
    [InlineData("weight")]
    [InlineData("lx")]
    [InlineData("timeout")]
    public void Suggest_NothingClose_GivesNull(string name)
    {
        Assert.Null(NameSuggester.Suggest(name, ClusterKeys));
    }

    [Theory]
    [InlineData("web", "wbe", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "abc", 0)]
    public void Distance_TwoNames_CountsEditsWithSwapsAsOne(string a, string b, int expected)
    {
        Assert.Equal(expected, NameSuggester.Distance(a, b));
    }
}
