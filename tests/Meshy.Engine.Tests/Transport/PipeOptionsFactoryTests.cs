using System.IO.Pipelines;
using Meshy.Engine.Transport;

namespace Meshy.Engine.Tests.Transport;

public sealed class PipeOptionsFactoryTests
{
    [Fact]
    public void Default_BoundsBufferingAndSchedulesInline()
    {
        PipeOptionsFactory factory = PipeOptionsFactory.Default;

        foreach (PipeOptions options in new[] { factory.Receive, factory.Send })
        {
            Assert.Equal(1024 * 1024, options.PauseWriterThreshold);
            Assert.Equal(512 * 1024, options.ResumeWriterThreshold);
            Assert.Same(PipeScheduler.Inline, options.ReaderScheduler);
            Assert.Same(PipeScheduler.Inline, options.WriterScheduler);
            Assert.True(options.MinimumSegmentSize >= 16 * 1024);
        }
    }

    [Fact]
    public void Constructor_PauseBelowResume_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipeOptionsFactory(pauseWriterThreshold: 10, resumeWriterThreshold: 20));
    }
}
