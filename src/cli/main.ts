// trainyard: the command line for the Trainyard API. Arguments are parsed by commander; every
// command answers an exit code (see exit-codes.ts), and every failure ends in one line on stderr.
import { Command, CommanderError, Option } from "commander";
import { ApiClient } from "./client.js";
import type { CommandContext } from "./commands/context.js";
import { downloadWeights } from "./commands/download.js";
import { cancelJob, listJobs, showLogs, submitJob } from "./commands/jobs.js";
import { createModel, listModels } from "./commands/models.js";
import { watchJob } from "./commands/watch.js";
import { CliError, EXIT_API, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { JOB_STATUSES } from "./types.js";

const DEFAULT_URL = "http://127.0.0.1:3000";

function buildProgram(run: (command: Command, action: (ctx: CommandContext) => Promise<number>) => Promise<void>): Command {
  const program = new Command("trainyard")
    .description("Submit, follow and fetch Trainyard training jobs")
    .option("--json", "print JSON for scripts instead of text")
    .addOption(new Option("--url <url>", "the API's base URL").env("TRAINYARD_URL").default(DEFAULT_URL))
    .addHelpText("after", "\nEnvironment: TRAINYARD_URL (default " + DEFAULT_URL + "), TRAINYARD_API_KEY (sent as Authorization: Bearer).\nExit codes: 0 ok, 1 job failed or cancelled, 2 usage error, 3 API error or unreachable.")
    // Thrown instead of exiting (subcommands inherit it), so that main() picks the exit code.
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("submit")
    .description("submit a job definition (JSON file); prints the job id")
    .argument("<job.json>", "the job: model or model_id, dataset, loss, optimizer, epochs, batch_size, ...")
    .option("-f, --follow", "then watch it until it ends (exit code by its final status)")
    .action(function (this: Command, file: string, options: { follow?: boolean }) {
      return run(this, (ctx) => submitJob(ctx, file, options));
    });

  program
    .command("jobs")
    .description("list jobs, newest first")
    .addOption(new Option("-s, --status <status>", "only jobs with this status").choices([...JOB_STATUSES]))
    .option("-n, --limit <n>", "at most this many jobs (1-200)")
    .action(function (this: Command, options: { status?: string; limit?: string }) {
      return run(this, (ctx) => listJobs(ctx, options));
    });

  program
    .command("logs")
    .description("print a job's metrics, one line per logged step, then its status")
    .argument("<job>", "job id")
    .option("-f, --follow", "keep printing until the job ends")
    .action(function (this: Command, id: string, options: { follow?: boolean }) {
      return run(this, (ctx) => showLogs(ctx, id, options));
    });

  program
    .command("watch")
    .description("follow a job with a progress bar per epoch until it ends (exit 0 succeeded, 1 failed or cancelled)")
    .argument("<job>", "job id")
    .action(function (this: Command, id: string) {
      return run(this, (ctx) => watchJob(ctx, id));
    });

  program
    .command("cancel")
    .description("cancel a job (a running one stops within a second or two, keeping its checkpoints)")
    .argument("<job>", "job id")
    .action(function (this: Command, id: string) {
      return run(this, (ctx) => cancelJob(ctx, id));
    });

  program
    .command("download")
    .description("download a job's weights (safetensors), checking their sha256")
    .argument("<job>", "job id")
    .option("-c, --checkpoint <step>", "the weights of the checkpoint at this step instead of the final ones")
    .option("-o, --output <file>", "where to write them (default JOB.safetensors)")
    .action(function (this: Command, id: string, options: { checkpoint?: string; output?: string }) {
      return run(this, (ctx) => downloadWeights(ctx, id, options));
    });

  const models = program.command("models").description("model definitions");
  models
    .command("create")
    .description("define a model from a JSON file ({\"name\"?, \"layers\": [...]}); prints its id, parameter count and printout")
    .argument("<model.json>")
    .action(function (this: Command, file: string) {
      return run(this, (ctx) => createModel(ctx, file));
    });
  models
    .command("list")
    .description("list model definitions")
    .action(function (this: Command) {
      return run(this, (ctx) => listModels(ctx));
    });
  return program;
}

async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(async (command, action) => {
    const options = command.optsWithGlobals<{ json?: boolean; url: string }>();
    const client = new ApiClient({ baseUrl: options.url, apiKey: process.env.TRAINYARD_API_KEY || undefined });
    exitCode = await action({ client, json: Boolean(options.json) });
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander has already printed the message.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`trainyard: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`trainyard: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT_API;
  }
  return exitCode;
}

process.exitCode = await main(process.argv);
