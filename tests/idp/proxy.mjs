// Test-only HTTPS proxy (HTTP CONNECT) on 127.0.0.1 that records which hosts it tunnelled to.
// Prints {"port"} when ready; GET /__stats answers {"tunnels":[...]}. Stops when stdin closes.
import http from 'node:http';
import net from 'node:net';

const tunnels = [];
const server = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    const body = JSON.stringify({ tunnels });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    return res.end(body);
  }
  res.writeHead(405).end();
});
server.on('connect', (req, client, head) => {
  tunnels.push(req.url);
  const [host, port] = req.url.split(':');
  if (!['127.0.0.1', 'localhost'].includes(host)) {
    client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    return;
  }
  const upstream = net.connect(Number(port), host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  client.on('error', () => upstream.destroy());
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const stop = () => process.exit(0);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
setTimeout(stop, 600_000).unref();
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
