import { ApiError } from '../api/api-error';

/** The API's messages for one field of a refused body (`body.url`, `body.events.0`, or `url`). */
export function fieldMessages(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.details
    .filter((detail) => {
      const path = detail.path.startsWith('body.') ? detail.path.slice('body.'.length) : detail.path;
      return path === field || path.startsWith(`${field}.`);
    })
    .map((detail) => detail.message);
}

/** The API's messages for one field, shown next to it (`id` is what the field's aria-describedby names). */
export function FieldError({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <span id={id} className="error" data-testid={id}>
      {messages.join('; ')}
    </span>
  );
}
