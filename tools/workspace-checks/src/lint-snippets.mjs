// Lints code snippets as if they were files at given workspace paths (without writing them) and prints
// the rule ids each one breaks. Runs as its own process because ESLint loads its config with a dynamic
// import, which Jest's module sandbox does not support.
import { ESLint } from 'eslint';
import path from 'node:path';

const workspaceRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const cases = JSON.parse(
  await new Promise((resolve) => {
    let input = '';
    process.stdin.on('data', (chunk) => (input += chunk));
    process.stdin.on('end', () => resolve(input));
  }),
);
const eslint = new ESLint({ cwd: workspaceRoot });
const results = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: path.join(workspaceRoot, file) });
  results.push(result.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`));
}
process.stdout.write(JSON.stringify(results));
