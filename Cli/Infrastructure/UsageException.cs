namespace MLNetExt.Cli.Infrastructure;

/// <summary>Bad usage or input found by a verb (an option's value, a combination, a path): exit code 2, the message as is.</summary>
internal sealed class UsageException(string message) : Exception(message);
