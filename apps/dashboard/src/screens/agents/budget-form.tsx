import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { BudgetUpdate, PublicAgent } from '@nexus/types';
import { ApiError, errorText } from '../../api/api-error';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { fieldMessages } from '../../ui/field-errors';

type Field = 'dailyBudget' | 'weeklyBudget' | 'monthlyBudget' | 'maxPerCall' | 'approvalAbove';

interface FieldSpec {
  field: Field;
  label: string;
  hint: string;
}

const FIELDS: readonly FieldSpec[] = [
  { field: 'dailyBudget', label: 'Daily budget', hint: 'MNEE, e.g. 2.00' },
  { field: 'weeklyBudget', label: 'Weekly budget', hint: 'empty: no weekly window' },
  { field: 'monthlyBudget', label: 'Monthly budget', hint: 'empty: no monthly window' },
  { field: 'maxPerCall', label: 'Max per call', hint: 'MNEE, e.g. 1.00' },
  { field: 'approvalAbove', label: 'Approval above', hint: 'empty: approval off' },
];

type Values = Record<Field, string>;

const valuesOf = (agent: PublicAgent): Values => ({
  dailyBudget: agent.dailyBudget,
  weeklyBudget: agent.weeklyBudget ?? '',
  monthlyBudget: agent.monthlyBudget ?? '',
  maxPerCall: agent.maxPerCall,
  approvalAbove: agent.approvalAbove ?? '',
});

/**
 * The update of only the fields the operator changed, as typed: money stays the decimal string
 * the operator wrote (the API validates it); an emptied window or threshold is null.
 */
export function budgetUpdateOf(initial: Values, values: Values): BudgetUpdate {
  const update: BudgetUpdate = {};
  for (const { field } of FIELDS) {
    const value = values[field].trim();
    if (value === initial[field]) continue;
    // a daily budget and a per-call maximum always have a value; an emptied window or threshold is removed
    if (field === 'dailyBudget' || field === 'maxPerCall') update[field] = value;
    else update[field] = value === '' ? null : value;
  }
  return update;
}

const isFieldPath = (path: string, field: Field) => path === `body.${field}` || path === field;

/** Edit one agent's budget: PUT /agents/:id/budget with the changed fields, the API's messages beside them. */
export function BudgetForm({ agent, onSaved }: { agent: PublicAgent; onSaved: () => void }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const [initial] = useState(() => valuesOf(agent));
  const [values, setValues] = useState(initial);
  const [unchanged, setUnchanged] = useState(false);

  const save = useMutation({
    // the fields are money strings or null as BudgetUpdate has them; the API checks each one
    mutationFn: (update: BudgetUpdate) => api.updateBudget(agent.id, update),
    onSuccess: async () => {
      await Promise.all([
        queries.invalidateQueries({ queryKey: [QueryKey.agents] }),
        queries.invalidateQueries({ queryKey: [QueryKey.treasury] }),
      ]);
      onSaved();
    },
  });

  const details = save.error instanceof ApiError ? save.error.details : [];
  // problems of no one field (e.g. "give at least one of …") are listed under the form
  const otherMessages = details.filter((detail) => !FIELDS.some(({ field }) => isFieldPath(detail.path, field)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const update = budgetUpdateOf(initial, values);
    if (Object.keys(update).length === 0) {
      setUnchanged(true);
      return;
    }
    setUnchanged(false);
    save.mutate(update);
  };

  const base = `budget-${agent.id}`;
  return (
    <form id={`budget-form-${agent.id}`} data-testid={`agent-budget-form-${agent.id}`} onSubmit={submit} noValidate>
      <h3>Budget of {agent.name}</h3>
      {FIELDS.map(({ field, label, hint }) => {
        const id = `${base}-${field}`;
        const messages = fieldMessages(save.error, field);
        return (
          <div key={field} className="toolbar">
            <label htmlFor={id}>{label}</label>
            <input
              id={id}
              name={field}
              data-testid={`${base}-${field}`}
              inputMode="decimal"
              autoComplete="off"
              value={values[field]}
              aria-invalid={messages.length > 0 || undefined}
              aria-describedby={`${id}-hint${messages.length > 0 ? ` ${id}-error` : ''}`}
              onChange={(event) => setValues({ ...values, [field]: event.target.value })}
            />
            <span id={`${id}-hint`} className="hint">
              {hint}
            </span>
            {messages.length > 0 && (
              <span id={`${id}-error`} className="error" data-testid={`${id}-error`}>
                {label}: {messages.join('; ')}
              </span>
            )}
          </div>
        );
      })}
      <div className="toolbar">
        <button type="submit" data-testid={`${base}-save`} disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save budget'}
        </button>
        {unchanged && (
          <span role="status" className="muted">
            Nothing changed.
          </span>
        )}
      </div>
      {save.isError && (
        <div role="alert" className="error">
          <p>Could not save: {errorText(save.error)}</p>
          {otherMessages.length > 0 && (
            <ul>
              {otherMessages.map((detail) => (
                <li key={`${detail.path}:${detail.message}`}>
                  {detail.path}: {detail.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
