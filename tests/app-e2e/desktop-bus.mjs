// What a desktop session offers the app over D-Bus, faked on the tests' private session bus so
// the tests can see the tray menu and the notifications through their real interfaces:
// - org.kde.StatusNotifierWatcher: where the app's tray (libayatana-appindicator, through Tauri)
//   registers its StatusNotifierItem; the menu is then read and clicked through
//   com.canonical.dbusmenu, as a panel would;
// - org.freedesktop.Notifications: records every Notify call (tauri-plugin-notification).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const WATCHER = 'org.kde.StatusNotifierWatcher';
const NOTIFICATIONS = 'org.freedesktop.Notifications';
const MENU = 'com.canonical.dbusmenu';

export async function startDesktopBus(root) {
  const dbus = createRequire(join(root, 'tests/idp/package.json'))('dbus-next');
  const { Message, Variant } = dbus;
  const bus = dbus.sessionBus();
  const items = []; // { service, path } of each registered tray item
  const notifications = [];
  let nextId = 1;

  const watcherProperties = () => ({
    RegisteredStatusNotifierItems: new Variant('as', items.map((i) => `${i.service}${i.path}`)),
    IsStatusNotifierHostRegistered: new Variant('b', true),
    ProtocolVersion: new Variant('i', 0),
  });
  bus.addMethodHandler((msg) => {
    const reply = (signature = '', body = []) => {
      bus.send(Message.newMethodReturn(msg, signature, body));
      return true;
    };
    const { path, interface: iface, member, body, sender } = msg;
    if (path === '/StatusNotifierWatcher') {
      if (iface === WATCHER && member === 'RegisterStatusNotifierItem') {
        // libayatana names its object path and is known by its sender; others name a bus name.
        const item = body[0].startsWith('/') ? { service: sender, path: body[0] } : { service: body[0], path: '/StatusNotifierItem' };
        // It registers again whenever the menu is replaced.
        if (!items.some((i) => i.service === item.service && i.path === item.path)) items.push(item);
        return reply();
      }
      if (iface === WATCHER && member === 'RegisterStatusNotifierHost') return reply();
      if (iface === 'org.freedesktop.DBus.Properties' && member === 'Get') return reply('v', [watcherProperties()[body[1]]]);
      if (iface === 'org.freedesktop.DBus.Properties' && member === 'GetAll') return reply('a{sv}', [watcherProperties()]);
    }
    if (path === '/org/freedesktop/Notifications' && iface === NOTIFICATIONS) {
      if (member === 'GetServerInformation') return reply('ssss', ['lakekey-test', 'LakeKey', '1.0', '1.2']);
      if (member === 'GetCapabilities') return reply('as', [['body', 'actions']]);
      if (member === 'CloseNotification') return reply();
      if (member === 'Notify') {
        const [appName, replacesId, , summary, text] = body;
        const id = replacesId || nextId++;
        notifications.push({ id, appName, summary, body: text });
        return reply('u', [id]);
      }
    }
    return false;
  });
  for (const name of [WATCHER, NOTIFICATIONS]) {
    const answer = await bus.requestName(name, dbus.NameFlag.DO_NOT_QUEUE);
    if (answer !== dbus.RequestNameReply.PRIMARY_OWNER) throw new Error(`another program owns ${name} on the test bus`);
  }

  const call = async (destination, path, iface, member, signature = '', body = []) =>
    (await bus.call(new Message({ destination, path, interface: iface, member, signature, body }))).body;

  /** The tray menu's items as a panel sees them: [{ id, label, enabled }], separators left out. */
  async function trayMenu() {
    const item = items.at(-1);
    if (!item) return [];
    const [menuPath] = await call(item.service, item.path, 'org.freedesktop.DBus.Properties', 'Get', 'ss', ['org.kde.StatusNotifierItem', 'Menu']);
    const [, layout] = await call(item.service, menuPath.value, MENU, 'GetLayout', 'iias', [0, -1, []]);
    const entries = [];
    const walk = ([id, props, children]) => {
      const prop = (name) => props[name]?.value;
      if (id !== 0 && prop('type') !== 'separator') {
        // dbusmenu labels mark mnemonics with `_` (a literal one is doubled).
        entries.push({ id, label: String(prop('label') ?? '').replace(/__/g, '\u0000').replace(/_/g, '').replace(/\u0000/g, '_'), enabled: prop('enabled') !== false });
      }
      for (const child of children) walk(child.value);
    };
    walk(layout);
    return entries.map((e) => ({ ...e, menuPath: menuPath.value, service: item.service }));
  }

  /** Clicks a tray menu item, as a panel does when the user picks it. */
  async function clickTray(entry) {
    await call(entry.service, entry.menuPath, MENU, 'Event', 'isvu', [entry.id, 'clicked', new Variant('i', 0), 0]);
  }

  return { items, notifications, trayMenu, clickTray, stop: () => bus.disconnect() };
}
