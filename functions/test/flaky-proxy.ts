import * as net from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP proxy on loopback in front of a local server (s3rver) that breaks connections on demand: after
 * `resetGetAfter(path, bytes, times)`, the next `times` GET requests whose request line contains `path` get
 * `bytes` bytes of their response (headers included), then a TCP reset, as a dropped connection does.
 */
export async function startFlakyProxy(target: string): Promise<{
  endpoint: string;
  resetGetAfter(path: string, bytes: number, times?: number): void;
  /** Connections reset so far. */
  resets(): number;
  close(): Promise<void>;
}> {
  const { hostname, port } = new URL(target);
  const armed: { path: string; bytes: number; times: number }[] = [];
  let resets = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let cutAfter: number | undefined;
    let sent = 0;
    let cut = false;
    client.on("data", (data: Buffer) => {
      const line = data.subarray(0, Math.max(0, data.indexOf("\r\n"))).toString();
      const rule = armed.find((a) => a.times > 0 && line.startsWith("GET ") && line.includes(a.path));
      if (rule) {
        rule.times--;
        cutAfter = rule.bytes;
        sent = 0;
      }
      upstream.write(data);
    });
    upstream.on("data", (data: Buffer) => {
      if (cut) return;
      if (cutAfter === undefined) return void client.write(data);
      const room = cutAfter - sent;
      if (data.length < room) {
        sent += data.length;
        return void client.write(data);
      }
      client.write(data.subarray(0, room), () => {
        resets++;
        client.resetAndDestroy();
        upstream.destroy();
      });
      cut = true;
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    resetGetAfter: (path, bytes, times = 1) => void armed.push({ path, bytes, times }),
    resets: () => resets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
