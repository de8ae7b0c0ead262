// kombu's and Celery's own queues, on every transport: worker mailboxes, our reply queues, event receivers.

export function isInternalQueue(name: string): boolean {
  // `.reply.celery.pidbox` ends in `.celery.pidbox` too.
  return name.endsWith('.celery.pidbox') || name.startsWith('celeryev.');
}
