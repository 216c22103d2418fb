/**
 * A TCP proxy on loopback in front of a real server (the local PostgreSQL), which a test can take
 * down and bring back: `down()` refuses new connections and cuts the open ones, as a database
 * restart does to its clients; `up()` listens again on the same port. The real server is never
 * touched, so other users of it are not disturbed.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | undefined;

  function listen(): Promise<void> {
    const s = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server = s;
    return new Promise((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        resolve();
      });
    });
  }

  await listen();
  return {
    get port() {
      return port;
    },
    /** Like a database going away: open connections cut, new ones refused. */
    async down(): Promise<void> {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise((resolve) => s.close(resolve));
    },
    /** Back on the same port. */
    async up(): Promise<void> {
      if (!server) await listen();
    },
    async close(): Promise<void> {
      await this.down();
    },
  };
}

export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;
