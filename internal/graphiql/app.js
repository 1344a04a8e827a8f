// app.js starts GraphiQL with carrierdesk's example operations in its tabs
// and, in development, a "sign in as" control for the demo users. It is
// served by this server like the rest (no inline script), so the page's
// Content-Security-Policy can forbid everything from elsewhere.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('carrierdesk-config').textContent);
  var React = window.React;
  var h = React.createElement;
  var SESSION_KEY = 'carrierdesk.graphiql.session';
  // Tokens the control handed out on this page: the fetcher replaces them
  // with the current one, but leaves any other Authorization someone typed.
  var issued = {};
  var session = null; // {email, role, token, expiresAt}

  // Roles in the order the control lists them, with a heading for each.
  var ROLE_GROUPS = [
    ['Admin', ['ADMIN']],
    ['Managers', ['MANAGER']],
    ['Reps', ['ACCOUNT_EXECUTIVE', 'SUPPORT', 'STRATEGIC']],
    ['Analysts', ['ANALYST']],
    ['Carrier contacts', ['CARRIER']],
  ];

  function readStored() {
    try {
      return JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
    } catch (e) {
      return null;
    }
  }

  // fresh: the token is good for another minute at least.
  function fresh(s) {
    return !!(s && s.token && Date.parse(s.expiresAt) > Date.now() + 60000);
  }

  function remember(s) {
    session = s;
    if (s) {
      issued[s.token] = true;
      localStorage.setItem(SESSION_KEY, JSON.stringify(s));
    } else {
      localStorage.removeItem(SESSION_KEY);
    }
  }

  function headersText(s) {
    return s ? JSON.stringify({ Authorization: 'Bearer ' + s.token }, null, 2) : '';
  }

  // withSession puts the signed-in user's token on a request, the schema's
  // introspection included: GraphiQL sends that before its headers editor
  // exists, and so without the headers a reload would otherwise lose.
  function withSession(headers) {
    var out = Object.assign({}, headers);
    if (!session) {
      return out;
    }
    for (var key in out) {
      if (key.toLowerCase() === 'authorization') {
        if (!issued[String(out[key]).replace(/^Bearer\s+/i, '')]) {
          return out; // someone's own token: theirs to use
        }
        delete out[key];
      }
    }
    out.Authorization = 'Bearer ' + session.token;
    return out;
  }

  var httpURL = new URL(config.endpoint, location.href);
  var wsURL = new URL(config.endpoint, location.href);
  wsURL.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // Subscriptions go over graphql-transport-ws; the headers become the
  // connection_init payload, where the server looks for Authorization.
  var base = GraphiQL.createFetcher({ url: httpURL.href, subscriptionUrl: wsURL.href });

  // fetcher sends a request as the signed-in user. It reads the operation
  // from the query it sends: when a preloaded tab runs first, GraphiQL passes
  // the operation name and parsed document of the tab it showed before, so
  // the server would answer "operation Home not found", and a subscription
  // would go over HTTP instead of the WebSocket.
  function fetcher(params, opts) {
    opts = Object.assign({}, opts, { headers: withSession(opts && opts.headers) });
    try {
      opts.documentAST = GraphiQL.GraphQL.parse(params.query);
    } catch (e) {
      return base(params, opts); // not a document: the server says what is wrong with it
    }
    var names = opts.documentAST.definitions.filter(function (d) {
      return d.kind === 'OperationDefinition';
    }).map(function (d) {
      return d.name ? d.name.value : null;
    });
    if (params.operationName && names.indexOf(params.operationName) < 0) {
      params = Object.assign({}, params, { operationName: names.length === 1 ? names[0] : null });
    }
    return base(params, opts);
  }

  function signIn(email) {
    return fetch(config.tokenPath, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: email }),
    }).then(function (res) {
      return res.json().catch(function () {
        return {};
      }).then(function (body) {
        if (!res.ok || !body.token) {
          throw new Error(body.error || 'signing in failed: HTTP ' + res.status);
        }
        var s = { email: email, role: body.role, token: body.token, expiresAt: body.expiresAt };
        remember(s);
        return s;
      });
    });
  }

  function userOptions() {
    var groups = [];
    ROLE_GROUPS.forEach(function (g) {
      var users = config.users.filter(function (u) {
        return g[1].indexOf(u.role) >= 0;
      });
      if (users.length) {
        groups.push(h('optgroup', { key: g[0], label: g[0] }, users.map(function (u) {
          return h('option', { key: u.email, value: u.email, title: u.about }, u.name + ' (' + u.role + ', ' + u.email + ')');
        })));
      }
    });
    return groups;
  }

  // SignIn is the control in GraphiQL's top right corner. It lives inside
  // GraphiQL to reach its headers editor and schema.
  function SignIn() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var schema = GraphiQL.React.useSchemaContext({ nonNull: true });
    var state = React.useState(session);
    var current = state[0];
    var setCurrent = state[1];
    var failure = React.useState('');
    var error = failure[0];
    var setError = failure[1];

    function show(s) {
      setCurrent(s);
      if (editor.headerEditor) {
        editor.headerEditor.setValue(headersText(s));
      }
      schema.introspect();
    }

    function choose(ev) {
      var email = ev.target.value;
      setError('');
      if (!email) {
        remember(null);
        show(null);
        return;
      }
      signIn(email).then(show, function (e) {
        setError(e.message);
      });
    }

    return h('div', { className: 'carrierdesk-signin' },
      h('label', { htmlFor: 'carrierdesk-signin' }, 'Sign in as'),
      h('select', { id: 'carrierdesk-signin', value: current ? current.email : '', onChange: choose },
        h('option', { value: '' }, 'nobody (no token)'),
        userOptions()),
      current ? h('span', { className: 'carrierdesk-who', title: 'until ' + current.expiresAt }, current.role) : null,
      error ? h('span', { className: 'carrierdesk-error', role: 'alert' }, error) : null);
  }

  function render() {
    var tabs = config.tabs.map(function (t) {
      return { query: t.query, variables: t.variables || null, headers: headersText(session) || null };
    });
    var props = {
      fetcher: fetcher,
      defaultTabs: tabs,
      headers: headersText(session) || undefined,
      // The token is short-lived and handed out again on request; it is not
      // kept in GraphiQL's own storage, where a stale one would linger.
      shouldPersistHeaders: false,
    };
    var children = null;
    if (config.tokenPath) {
      props.defaultEditorToolsVisibility = 'headers';
      children = h(GraphiQL.Logo, null, h(SignIn));
    }
    ReactDOM.createRoot(document.getElementById('graphiql')).render(h(GraphiQL, props, children));
  }

  var start = Promise.resolve();
  if (config.tokenPath) {
    var stored = readStored();
    if (fresh(stored)) {
      remember(stored);
    } else if (stored && stored.email) {
      // Signed in before, but the token has expired: sign in again first, so
      // the schema is fetched as that user.
      start = signIn(stored.email).catch(function () {
        remember(null);
      });
    }
  }
  start.then(render);
})();
