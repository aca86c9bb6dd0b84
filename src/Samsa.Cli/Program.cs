using Samsa.Cli;

return await SamsaCommandLine.InvokeAsync(args, CliContext.ForProcess()).ConfigureAwait(false);
