/** `papers completion`: the declaration; the work is in commands/completion.ts. */
import { Argument, Command } from '@commander-js/extra-typings';
import { SHELLS } from './options.js';

export function completionCommand() {
  return new Command('completion')
    .description('print a shell completion script (commands, options, their values, topic names)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText('after', `
Examples:
  source <(papers completion bash)                       # in ~/.bashrc
  papers completion zsh > "\${fpath[1]}/_papers"           # or: source <(papers completion zsh) in ~/.zshrc
  papers completion fish > ~/.config/fish/completions/papers.fish`)
    .action(async (shell, _opts, command) => {
      await (await import('../commands/completion.js')).run(shell, command.parent!);
    });
}
