import { dropTemplateAndClones } from '@platform/testing';

/** Drops what globalSetup created, and any per-file copy of the database a crashed test file left. */
export default async function globalTeardown(): Promise<void> {
  const resources = globalThis.notificationServiceTestResources;
  globalThis.notificationServiceTestResources = undefined;
  if (!resources) return;
  await Promise.allSettled([dropTemplateAndClones(resources.database.name), resources.vhost.dispose()]);
}
