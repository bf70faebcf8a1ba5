// Skip logic on the phone, also with no connection: the same XLSForm subset and the
// same semantics as checklists/relevance.py (both run tests/checklists/relevance_cases.json).
// Each item carries its expression in data-relevant; #relevance holds the rules and
// answers of the whole checklist (items on other stages count too). No eval, no inline script.
(function () {
  "use strict";

  var TOKEN = /\s*(?:(\$\{\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*\})|(-?(?:\d+(?:\.\d*)?|\.\d+))|('[^']*'|"[^"]*")|(!=|<=|>=|=|<|>|\(|\)|,)|(\.)|([A-Za-z_][A-Za-z0-9_-]*))/y;
  var WORDS = { and: 1, or: 1, not: 1, selected: 1, "true": 1, "false": 1 };

  function ExpressionError(message, pos) { this.message = message; this.pos = pos; }

  function tokens(src) {
    var out = [], pos = 0;
    while (pos < src.length) {
      if (src.slice(pos).trim() === "") break;
      TOKEN.lastIndex = pos;
      var m = TOKEN.exec(src);
      if (!m || TOKEN.lastIndex === pos) throw new ExpressionError("unexpected text", pos);
      var start = TOKEN.lastIndex - m[0].replace(/^\s+/, "").length;
      if (m[1] !== undefined) out.push(["ref", m[2], start]);
      else if (m[3] !== undefined) out.push(["num", m[3], start]);
      else if (m[4] !== undefined) out.push(["str", m[4], start]);
      else if (m[5] !== undefined) out.push(["op", m[5], start]);
      else if (m[6] !== undefined) out.push(["dot", ".", start]);
      else {
        if (!WORDS[m[7]]) throw new ExpressionError("unknown word " + m[7], start);
        out.push([m[7], m[7], start]);
      }
      pos = TOKEN.lastIndex;
    }
    out.push(["end", "", src.length]);
    return out;
  }

  function parse(src) {
    var toks = tokens(src), i = 0;
    function peek() {
      var t = toks[i];
      for (var k = 0; k < arguments.length; k++) {
        if (t[0] === arguments[k] || (t[0] === "op" && t[1] === arguments[k])) return true;
      }
      return false;
    }
    function take() {
      var t = toks[i];
      if (arguments.length && !peek.apply(null, arguments)) {
        throw new ExpressionError("expected " + Array.prototype.join.call(arguments, " or "), t[2]);
      }
      i += 1;
      return t;
    }
    function expr() {
      var node = conj();
      while (peek("or")) { take(); node = ["or", node, conj()]; }
      return node;
    }
    function conj() {
      var node = cmp();
      while (peek("and")) { take(); node = ["and", node, cmp()]; }
      return node;
    }
    function cmp() {
      var node = operand();
      if (peek("=", "!=", "<", "<=", ">", ">=")) {
        var op = take()[1];
        node = ["cmp", op, node, operand()];
      }
      return node;
    }
    function operand() {
      if (peek("(")) { take(); var inner = expr(); take(")"); return inner; }
      if (peek("not", "selected", "true", "false")) {
        var word = take()[0], node;
        take("(");
        if (word === "true" || word === "false") { take(")"); return ["bool", word === "true"]; }
        if (word === "not") node = ["not", expr()];
        else { var a = value(); take(","); node = ["selected", a, value()]; }
        take(")");
        return node;
      }
      return value();
    }
    function value() {
      var t = take("ref", "num", "str", "dot");
      if (t[0] === "ref") return ["ref", t[1]];
      if (t[0] === "num") return ["num", parseFloat(t[1])];
      if (t[0] === "str") return ["str", t[1].slice(1, -1)];
      return ["self"];
    }
    var ast = expr();
    take("end");
    return ast;
  }

  function references(ast, out) {
    out = out || {};
    if (ast[0] === "ref") { out[ast[1]] = true; return out; }
    for (var k = 1; k < ast.length; k++) if (Array.isArray(ast[k])) references(ast[k], out);
    return out;
  }

  function unanswered(v) {
    return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
  }

  var NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

  function asNumber(v) {
    if (typeof v === "boolean") return null;
    if (typeof v === "number") return isFinite(v) ? v : null;
    if (typeof v === "string") {
      var s = v.trim();
      if (!NUMBER.test(s)) return null;
      var x = parseFloat(s);
      return isFinite(x) ? x : null;
    }
    return null;
  }

  function fmtNumber(x) {  // as checklists.types.base.fmt_number
    if (Number.isInteger(x)) return String(x);
    return x.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
  }

  function asText(v) {
    if (Array.isArray(v)) return v.map(function (x) { return typeof x === "number" ? String(x) : String(x); }).join(" ");
    if (typeof v === "number") return fmtNumber(v);
    if (typeof v === "boolean") return v ? "True" : "False";
    return String(v);
  }

  function valueOf(ast, answers, own) {
    var kind = ast[0];
    if (kind === "ref") return Object.prototype.hasOwnProperty.call(answers, ast[1]) ? answers[ast[1]] : null;
    if (kind === "self") return own === undefined ? null : own;
    if (kind === "num" || kind === "str") return ast[1];
    return evaluateAst(ast, answers, own);
  }

  function compare(op, a, b) {
    if (unanswered(a) || unanswered(b)) return false;
    var x = asNumber(a), y = asNumber(b);
    if (op === "=" || op === "!=") {
      var same = (x !== null && y !== null) ? x === y : asText(a) === asText(b);
      return op === "=" ? same : !same;
    }
    if (x === null || y === null) return false;
    return { "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y }[op];
  }

  function evaluateAst(ast, answers, own) {
    var kind = ast[0];
    if (kind === "or") return evaluateAst(ast[1], answers, own) || evaluateAst(ast[2], answers, own);
    if (kind === "and") return evaluateAst(ast[1], answers, own) && evaluateAst(ast[2], answers, own);
    if (kind === "not") return !evaluateAst(ast[1], answers, own);
    if (kind === "bool") return ast[1];
    if (kind === "cmp") return compare(ast[1], valueOf(ast[2], answers, own), valueOf(ast[3], answers, own));
    if (kind === "selected") {
      var v = valueOf(ast[1], answers, own), x = valueOf(ast[2], answers, own);
      if (unanswered(v) || unanswered(x)) return false;
      var keys = Array.isArray(v) ? v : asText(v).split(/\s+/).filter(function (s) { return s; });
      var want = asText(x);
      return keys.some(function (k) { return asText(k) === want; });
    }
    var bare = valueOf(ast, answers, own);
    return !unanswered(bare) && asNumber(bare) !== 0;
  }

  var cache = {};
  function evaluate(src, answers, own) {
    if (!cache[src]) cache[src] = parse(src);
    return evaluateAst(cache[src], answers || {}, own);
  }

  /** Keys of the items asked (as relevance.relevant_keys): a hidden item's answer reads
   * as unanswered for the items that depend on it. order: every item key; rules: key -> expr. */
  function relevantKeys(order, rules, answers) {
    var known = {}, memo = {};
    order.forEach(function (k) { known[k] = true; });
    function relevant(key, busy) {
      if (Object.prototype.hasOwnProperty.call(memo, key)) return memo[key];
      if (!rules[key] || busy[key]) return true;
      var ast;
      try { ast = cache[rules[key]] || (cache[rules[key]] = parse(rules[key])); } catch (e) { return true; }
      var seen = {}, refs = references(ast), inner = Object.assign({}, busy);
      inner[key] = true;
      Object.keys(refs).forEach(function (ref) {
        var v = Object.prototype.hasOwnProperty.call(answers, ref) ? answers[ref] : null;
        seen[ref] = (!known[ref] || relevant(ref, inner)) ? v : null;
      });
      memo[key] = evaluateAst(ast, seen);
      return memo[key];
    }
    var out = {};
    order.forEach(function (k) { if (relevant(k, {})) out[k] = true; });
    return out;
  }

  // -- the page -------------------------------------------------------------------------

  function itemValue(box) {
    var form = box.querySelector("form.answer-form");
    if (!form) return undefined;  // photo, signature, note: the server's answer stands
    var inputs = form.querySelectorAll('[name="value"]');
    var radios = [], boxes = [], other = null;
    inputs.forEach(function (el) {
      if (el.type === "radio") radios.push(el);
      else if (el.type === "checkbox") boxes.push(el);
      else if (el.type !== "hidden") other = el;
    });
    if (radios.length) {
      var on = radios.filter(function (r) { return r.checked; })[0];
      return on ? on.value : null;
    }
    if (boxes.length) return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    return other ? other.value : undefined;
  }

  function refresh() {
    var holder = document.getElementById("relevance");
    if (!holder) return;
    var rules = {}, order = [], answers = {};
    try {
      rules = JSON.parse(holder.dataset.rules || "{}");
      order = JSON.parse(holder.dataset.order || "[]");
      answers = JSON.parse(holder.dataset.answers || "{}");
    } catch (e) { return; }
    var boxes = document.querySelectorAll(".item[data-item]");
    boxes.forEach(function (box) {
      var key = box.dataset.item;
      if (box.dataset.relevant) rules[key] = box.dataset.relevant;
      var v = itemValue(box);
      if (v !== undefined) answers[key] = v;
    });
    var asked = relevantKeys(order, rules, answers);
    boxes.forEach(function (box) {
      var hide = !asked[box.dataset.item];
      if (box.hidden !== hide) box.hidden = hide;
    });
  }

  window.Relevance = { parse: parse, evaluate: evaluate, relevantKeys: relevantKeys, refresh: refresh };

  document.addEventListener("change", function (evt) {
    if (evt.target.closest && evt.target.closest(".item")) refresh();
  });
  document.addEventListener("submit", function (evt) {  // the preview saves nothing
    if (evt.target.closest && evt.target.closest("[data-preview]")) evt.preventDefault();
  });
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("outbox:count", refresh);  // saves re-applied from the outbox
  document.addEventListener("DOMContentLoaded", refresh);
})();
