import {
  errorSummary,
  type FieldErrors,
  type Html,
  html,
  type Messages,
  messages,
  type PageOptions,
  page,
  paragraphs,
  signupFields,
  textInput,
  thanksPage,
} from '../signup/index.js';
import type { Question } from './forms.schemas.js';
import type { PublicForm } from './submissions.service.js';

type Values = Record<string, string | string[]>;

const fieldId = (field: string) =>
  field.startsWith('answers.') ? `q-${field.slice(8)}` : field === 'form' ? 'f-given_name' : `f-${field}`;

function question(q: Question, values: Values, errors: FieldErrors, m: Messages): Html {
  const name = `q_${q.key}`;
  const id = `q-${q.key}`;
  const field = `answers.${q.key}`;
  const error = errors.get(field);
  const errorHtml = error ? html`<span class="error" id="${id}-error">${error}</span>` : html``;
  const aria = error ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``;
  const label = html`${q.label}${q.required ? ` ${m.t('page.required')}` : ''}`;
  const value = values[name];
  const has = (v: string) => (Array.isArray(value) ? value.includes(v) : value === v);
  const req = q.required ? html` required` : '';
  switch (q.type) {
    case 'text':
      return html`<label for="${id}">${label}</label>${errorHtml}<input type="text" id="${id}" name="${name}" value="${
        typeof value === 'string' ? value : ''
      }"${req}${aria}>`;
    case 'paragraph':
      return html`<label for="${id}">${label}</label>${errorHtml}<textarea id="${id}" name="${name}" rows="5"${req}${aria}>${
        typeof value === 'string' ? value : ''
      }</textarea>`;
    case 'yes_no':
      return html`<fieldset id="${id}"${aria}><legend>${label}</legend>${errorHtml}
<label><input type="radio" name="${name}" value="yes"${has('yes') ? html` checked` : ''}${req}> ${m.t('form.yes')}</label>
<label><input type="radio" name="${name}" value="no"${has('no') ? html` checked` : ''}> ${m.t('form.no')}</label></fieldset>`;
    case 'single_choice':
    case 'multiple_choice': {
      const type = q.type === 'single_choice' ? 'radio' : 'checkbox';
      return html`<fieldset id="${id}"${aria}><legend>${label}</legend>${errorHtml}${(q.choices ?? []).map(
        (c, i) =>
          html`<label><input type="${type}" name="${name}" value="${c.key}"${has(c.key) ? html` checked` : ''}${
            type === 'radio' && i === 0 ? req : ''
          }> ${c.label}</label>`,
      )}</fieldset>`;
    }
  }
}

/** The public page of a form or petition: a plain form that posts back to the same address. */
export function formPage(
  form: PublicForm,
  action: string,
  values: Values = {},
  errors: FieldErrors = new Map(),
  options: PageOptions = {},
): string {
  const m = options.m ?? messages('en');
  const isPetition = form.kind === 'petition';
  const closed = form.status !== 'open';
  const targets =
    isPetition && form.targets.length > 0
      ? html`<p><strong>${m.t('form.to')}</strong> ${form.targets.map((t, i) => html`${i > 0 ? ', ' : ''}${t.name}${t.title ? ` (${t.title})` : ''}`)}</p>`
      : html``;
  const body = html`<h1>${form.title}</h1>
${paragraphs(form.description)}
${targets}${isPetition && form.petition_text ? html`<blockquote>${paragraphs(form.petition_text)}</blockquote>` : ''}
${isPetition ? html`<p>${m.tn('form.signatures', form.total_submissions)}</p>` : ''}
${
  closed
    ? html`<p>${isPetition ? m.t('form.closedPetition') : m.t('form.closedForm')}</p>`
    : html`${errorSummary(errors, fieldId, m)}
<form method="post" action="${action}" accept-charset="utf-8">
${errors.get('form') ? html`<p class="error">${errors.get('form') ?? ''}</p>` : ''}
${signupFields(values, errors, m)}
${form.questions.map((q) => question(q, values, errors, m))}
${isPetition ? textInput({ name: 'comment', label: m.t('form.comment') }, values, errors, m) : ''}
<button type="submit">${form.call_to_action ?? (isPetition ? m.t('form.sign') : m.t('form.send'))}</button>
</form>`
}`;
  return page(form.title, body, options);
}

/** The answer to a posted page. It never says whether the person was known or had signed before. */
export function formThanks(form: PublicForm, options: PageOptions = {}): string {
  const m = options.m ?? messages('en');
  return thanksPage(
    form.kind === 'petition'
      ? m.t('form.thanksPetition', { title: form.title })
      : m.t('form.thanksForm', { title: form.title }),
    options,
  );
}

/** Answers of a posted page as the service takes them: `q_<key>` fields, yes/no as booleans. */
export function answersFromPost(
  questions: Question[],
  body: Values,
): Record<string, string | string[] | boolean> {
  const answers: Record<string, string | string[] | boolean> = {};
  for (const q of questions) {
    const raw = body[`q_${q.key}`];
    if (raw === undefined) continue;
    const list = Array.isArray(raw) ? raw : [raw];
    if (q.type === 'multiple_choice') answers[q.key] = list;
    else if (q.type === 'yes_no') {
      if (list[0] === 'yes') answers[q.key] = true;
      else if (list[0] === 'no') answers[q.key] = false;
    } else answers[q.key] = list[0] ?? '';
  }
  return answers;
}

/** The snippet a site pastes to show the page: an iframe, and a plain link to the page under it. */
export function embedSnippet(form: { title: string }, url: string): string {
  return html`<iframe src="${url}" title="${form.title}" width="100%" height="900" style="border:0" loading="lazy"></iframe>
<p><a href="${url}">${form.title}</a></p>`.value;
}
