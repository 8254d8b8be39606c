/**
 * `papers completion bash|zsh|fish`: a completion script generated from the command tree
 * itself (commands, options, allowed values), so it never lags behind a new option; topic
 * names are the ones known when the script is made (built-in and the config's).
 */
import type { CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { loadConfig } from '../config.js';
import { writeChunks } from '../output.js';
import { allTopics } from '../topics.js';
import type { SHELLS } from '../cli/options.js';

interface Node {
  /** "topics show" ('' for papers itself). */
  path: string;
  description: string;
  subcommands: string[];
  options: { flags: string[]; takesValue: boolean; choices: string[]; files: boolean; topics: boolean; description: string }[];
  /** Its arguments are topic names (topics show/remove, trends). */
  topicArgs: boolean;
  /** The allowed values of its first argument. */
  argChoices: string[];
}

const TOPIC_ARGS = new Set(['topics show', 'topics remove', 'trends']);

function walk(cmd: CommandUnknownOpts, path: string, out: Node[]): void {
  const options = cmd.options.filter((o: Option) => !o.hidden).map((o: Option) => ({
    flags: [o.long, o.short].filter((f): f is string => !!f),
    takesValue: o.required || o.optional,
    choices: o.argChoices ? [...o.argChoices] : [],
    files: /^--(db|output)$/.test(o.long ?? ''),
    topics: o.long === '--topic',
    description: o.description,
  }));
  options.push({ flags: ['--help', '-h'], takesValue: false, choices: [], files: false, topics: false, description: 'show help' });
  out.push({ path, description: cmd.description(), subcommands: cmd.commands.map((c) => c.name()), options, topicArgs: TOPIC_ARGS.has(path), argChoices: [...(cmd.registeredArguments[0]?.argChoices ?? [])] });
  for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name(), out);
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashScript(nodes: Node[], topics: string[]): string {
  const paths = nodes.filter((n) => n.path !== '').map((n) => n.path);
  const lines: string[] = [
    '# papers completion for bash; load it with: source <(papers completion bash)',
    '_papers_completion() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" i w',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    case "${path:+$path }$w" in',
    `      ${paths.map(q).join('|')}) path="\${path:+$path }$w" ;;`,
    '    esac',
    '  done',
    `  local topics=${q(topics.join(' '))} words=""`,
    '  case "$path|$prev" in',
  ];
  for (const n of nodes) {
    for (const o of n.options.filter((x) => x.takesValue)) {
      const key = o.flags.map((f) => q(`${n.path}|${f}`)).join('|');
      if (o.files) lines.push(`    ${key}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
      else if (o.topics) lines.push(`    ${key}) COMPREPLY=($(compgen -W "$topics" -- "$cur")); return ;;`);
      else if (o.choices.length) lines.push(`    ${key}) COMPREPLY=($(compgen -W ${q(o.choices.join(' '))} -- "$cur")); return ;;`);
      else lines.push(`    ${key}) return ;;`);
    }
  }
  lines.push('  esac', '  case "$path" in');
  for (const n of nodes) {
    const words = [...n.subcommands, ...n.argChoices, ...n.options.flatMap((o) => o.flags)].join(' ');
    lines.push(`    ${q(n.path)}) words=${q(words)}${n.topicArgs ? '" $topics"' : ''} ;;`);
  }
  lines.push('  esac', '  COMPREPLY=($(compgen -W "$words" -- "$cur"))', '}', 'complete -F _papers_completion papers', '');
  return lines.join('\n');
}

/** zsh runs the bash function through its bash-completion layer. */
export function zshScript(nodes: Node[], topics: string[]): string {
  return ['# papers completion for zsh; load it with: source <(papers completion zsh)', 'autoload -U +X bashcompinit && bashcompinit', bashScript(nodes, topics).split('\n').slice(1).join('\n')].join('\n');
}

export function fishScript(nodes: Node[], topics: string[]): string {
  const lines = ['# papers completion for fish; load it with: papers completion fish | source', 'complete -c papers -f'];
  // A condition that holds when the words typed so far are exactly this command path.
  const cond = (path: string) => {
    if (path === '') return '__fish_use_subcommand';
    const deeper = nodes.find((n) => n.path === path)?.subcommands ?? [];
    return [...path.split(' ').map((p) => `__fish_seen_subcommand_from ${p}`), ...(deeper.length ? [`not __fish_seen_subcommand_from ${deeper.join(' ')}`] : [])].join('; and ');
  };
  for (const n of nodes) {
    const c = q(cond(n.path));
    for (const sub of n.subcommands) {
      const d = nodes.find((x) => x.path === (n.path ? `${n.path} ${sub}` : sub))?.description ?? '';
      lines.push(`complete -c papers -n ${c} -a ${q(sub)} -d ${q(d.slice(0, 60))}`);
    }
    for (const o of n.options) {
      const long = o.flags.find((f) => f.startsWith('--'))?.slice(2);
      const short = o.flags.find((f) => /^-[^-]$/.test(f))?.slice(1);
      const parts = [`complete -c papers -n ${c}`];
      if (long) parts.push(`-l ${long}`);
      if (short) parts.push(`-s ${short}`);
      if (o.takesValue) parts.push(o.files ? '-r -F' : '-x');
      if (o.choices.length) parts.push(`-a ${q(o.choices.join(' '))}`);
      else if (o.topics) parts.push(`-a ${q(topics.join(' '))}`);
      parts.push(`-d ${q(o.description.slice(0, 60))}`);
      lines.push(parts.join(' '));
    }
    if (n.topicArgs) lines.push(`complete -c papers -n ${c} -a ${q(topics.join(' '))}`);
    if (n.argChoices.length) lines.push(`complete -c papers -n ${c} -a ${q(n.argChoices.join(' '))}`);
  }
  return lines.join('\n') + '\n';
}

export async function run(shell: (typeof SHELLS)[number], program: CommandUnknownOpts): Promise<void> {
  const nodes: Node[] = [];
  walk(program, '', nodes);
  nodes[0]!.options.push({ flags: ['--version', '-V'], takesValue: false, choices: [], files: false, topics: false, description: 'print the version' });
  const topics = Object.keys(allTopics(loadConfig())).sort();
  const script = shell === 'bash' ? bashScript(nodes, topics) : shell === 'zsh' ? zshScript(nodes, topics) : fishScript(nodes, topics);
  await writeChunks([script]);
}
