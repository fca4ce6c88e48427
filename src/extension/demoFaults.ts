/**
 * "Qwen: Demo Faults…", only in the offline demo: `npm start -- --local` gives VS Code the local
 * Hub's address in QWEN_CHAT_DEMO, and this command asks it to make the next question to a model
 * meet a full queue, a queue to wait in, a pause, a sleeping Space, slow or long answers, an error
 * or a rewrite, so a newcomer sees each feature in a minute. The controls are listed by the Hub
 * itself (test/fixtures/demo-spaces.ts), so the list lives in one place.
 */
import * as vscode from 'vscode';
import { MODELS } from '../provider/spaces';

interface Control {
  id: string;
  label: string;
  detail: string;
}

export function registerDemoFaults(context: vscode.ExtensionContext): void {
  const hub = process.env.QWEN_CHAT_DEMO ?? '';
  // Loopback only: nothing but the demo's own Hub is ever asked.
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(hub)) return;
  void vscode.commands.executeCommand('setContext', 'qwenChat.demo', true);
  context.subscriptions.push(
    vscode.commands.registerCommand('qwenChat.demoFaults', async () => {
      try {
        const { controls } = (await (await fetch(`${hub}/demo`)).json()) as { controls: Control[] };
        const pick = await vscode.window.showQuickPick(
          controls.map((c) => ({ label: c.label, detail: c.detail, id: c.id })),
          { title: 'Qwen: Demo Faults', placeHolder: 'What should the next question meet?', matchOnDetail: true },
        );
        if (!pick) return;
        let model = vscode.workspace.getConfiguration('qwenChat').get<string>('model', 'qwen-2.5');
        if (pick.id !== 'reset') {
          const which = await vscode.window.showQuickPick([model, ...MODELS.filter((m) => m !== model)], {
            title: `Qwen: Demo Faults: ${pick.label}`,
            placeHolder: 'For which model\'s Space? (the chosen model first)',
          });
          if (!which) return;
          model = which;
        }
        const res = await fetch(`${hub}/demo/${pick.id}?model=${encodeURIComponent(model)}`, { method: 'POST' });
        const said = (await res.json()) as { said?: string; error?: string };
        if (!res.ok) throw new Error(said.error ?? `the demo Hub answered ${res.status}`);
        void vscode.window.showInformationMessage(`Qwen demo: ${said.said}`);
      } catch (err) {
        void vscode.window.showErrorMessage(`Qwen demo: ${err instanceof Error ? err.message : String(err)} (is \`npm start -- --local\` still running?)`);
      }
    }),
  );
}
