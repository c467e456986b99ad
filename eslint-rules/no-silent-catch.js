/**
 * Every swallowed error either does something with it (logs it, turns it
 * into a result) or carries a comment saying why it is safe to drop. Flags
 * an empty `catch {}` block and a `.catch()` whose handler does nothing
 * (`() => undefined`, `() => {}`, `() => null`), unless a comment sits on
 * the handler, inside it, or on the line just above it.
 */
const DOES_NOTHING = new Set(['undefined', 'null', 'void 0']);

function isNoopFunction(node, sourceCode) {
  if (node.type !== 'ArrowFunctionExpression' && node.type !== 'FunctionExpression') return false;
  if (node.body.type === 'BlockStatement') return node.body.body.length === 0;
  return DOES_NOTHING.has(sourceCode.getText(node.body));
}

function hasExplainingComment(node, sourceCode) {
  const inside = sourceCode.getCommentsInside ? sourceCode.getCommentsInside(node) : [];
  if (inside.length > 0) return true;
  const before = sourceCode.getCommentsBefore(node);
  if (before.length > 0) return true;
  // A comment at the end of the line or on the line above the statement holding the node.
  const line = node.loc.start.line;
  return sourceCode.getAllComments().some((comment) => comment.loc.end.line === line - 1 || comment.loc.start.line === line);
}

export default {
  meta: {
    type: 'suggestion',
    docs: { description: 'a swallowed error logs or says in a comment why it is safe to drop' },
    schema: [],
    messages: {
      silentCatch: 'This drops an error without a word: log it, or add a one-line comment saying why it is safe to drop.',
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      CatchClause(node) {
        if (node.body.body.length === 0 && !hasExplainingComment(node.body, sourceCode)) context.report({ node, messageId: 'silentCatch' });
      },
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier' || callee.property.name !== 'catch') return;
        const handler = node.arguments[0];
        if (handler && isNoopFunction(handler, sourceCode) && !hasExplainingComment(handler, sourceCode)) {
          context.report({ node: handler, messageId: 'silentCatch' });
        }
      },
    };
  },
};
