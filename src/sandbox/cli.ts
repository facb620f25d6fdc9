// npm run sandbox -- [--port 4010] [--webhook http://127.0.0.1:3000/webhook/event] [--quiet]
// Starts a local Lark Open Platform stand-in and prints what the bot needs to talk to it.
import { parseArgs } from 'node:util';
import { DEFAULT_USERS, startSandbox, type SandboxOptions } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    webhook: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`用法: npm run sandbox -- [--port 4010] [--webhook <机器人的事件回调地址>] [--quiet]
  默认通过长连接 (WSClient) 推送事件; 加 --webhook 则以加密、签名的 HTTP 请求推送到该地址。`);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port 必须是 0-65535 之间的整数, 收到: ${values.port}`);
  process.exit(2);
}
const delivery: SandboxOptions['delivery'] = values.webhook ? { mode: 'webhook', url: values.webhook } : { mode: 'ws' };

const sb = await startSandbox({
  port,
  delivery,
  users: DEFAULT_USERS,
  log: values.quiet ? undefined : (line) => console.log(`${new Date().toLocaleTimeString('zh-CN', { hour12: false })} ${line}`),
});
sb.createGroup({ chatId: 'oc_sandbox_demo_group', name: '第一党支部', memberOpenIds: DEFAULT_USERS.map((u) => u.openId) });

console.log(`
飞书开放平台沙箱已启动
  OpenAPI / SDK domain : ${sb.baseUrl}
  网页聊天             : ${sb.pageUrl}
  事件推送             : ${delivery.mode === 'webhook' ? `Webhook → ${delivery.url}` : '长连接 (WSClient)'}

机器人配置 (例如 .env):
  LARK_DOMAIN=${sb.baseUrl}
  LARK_EVENT_MODE=${delivery.mode}
  LARK_APP_ID=${sb.appId}
  LARK_APP_SECRET=${sb.appSecret}
  LARK_ENCRYPT_KEY=${sb.encryptKey}
  LARK_VERIFICATION_TOKEN=${sb.verificationToken}
  (机器人 open_id: ${sb.botOpenId})

按 Ctrl+C 退出。`);

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  void sb.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
