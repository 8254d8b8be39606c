/** `papers completion`: the declaration; the work is in commands/completion.ts. */
import { Argument, Command } from '@commander-js/extra-typings';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Lazy } from './lazy.js';
import { SHELLS } from './options.js';

/** What `completion` calls: commands/completion.ts, which reads the whole command tree. */
export interface CompletionWork {
  run(shell: (typeof SHELLS)[number], program: CommandUnknownOpts): Promise<void>;
}

export function completionCommand(work: Lazy<CompletionWork>) {
  return new Command('completion')
    .description('print a shell completion script (commands, options, their values, topic names)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText('after', `
Examples:
  source <(papers completion bash)                       # in ~/.bashrc
  papers completion zsh > "\${fpath[1]}/_papers"           # or: source <(papers completion zsh) in ~/.zshrc
  papers completion fish > ~/.config/fish/completions/papers.fish`)
    .action(async (shell, _opts, command) => {
      await (await work()).run(shell, command.parent!);
    });
}
