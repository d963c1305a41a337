// A Secret Service that fails mid-call: it owns org.freedesktop.secrets on the session bus
// ($DBUS_SESSION_BUS_ADDRESS), and at the first call to it drops its connection without an
// answer, as a keychain daemon that crashes does. Prints "ready" once it owns the name; ends by
// itself after a minute. Used by tests/store_choice.rs.
import dbus from 'dbus-next';

const NAME = 'org.freedesktop.secrets';
const bus = dbus.sessionBus();
bus.addMethodHandler((msg) => {
  if (msg.destination === NAME || (msg.path ?? '').startsWith('/org/freedesktop/secrets')) {
    process.exit(0);
  }
  return false;
});
const answer = await bus.requestName(NAME, dbus.NameFlag.DO_NOT_QUEUE);
if (answer !== dbus.RequestNameReply.PRIMARY_OWNER) {
  console.error(`another program owns ${NAME}`);
  process.exit(1);
}
console.log('ready');
setTimeout(() => process.exit(0), 60_000);
