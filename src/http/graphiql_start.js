// Starts GraphiQL against this hub's /graphql. Served by the hub (no inline script: the
// page's CSP allows scripts from the hub only).
(function () {
  "use strict";
  var url = window.location.origin + window.location.pathname.replace(/\/+$/, "");
  var send = GraphiQL.createFetcher({ url: url });
  // While Headers still hold the placeholders, say what to do instead of sending them.
  var fetcher = function (params, options) {
    var headers = (options && options.headers) || {};
    var unset = Object.keys(headers).some(function (k) {
      return String(headers[k]).indexOf("<") >= 0;
    });
    if (unset) {
      return Promise.resolve({
        errors: [
          {
            message:
              "请先在下方 Headers 中填入您的密钥和用途,再点击左侧的刷新图标载入您可见的模式。 / " +
              "Put your key and purpose in Headers below, then press the re-fetch icon on the left to load your view of the schema.",
            extensions: { code: "UNAUTHENTICATED" }
          }
        ]
      });
    }
    return send(params, options);
  };
  var headers = JSON.stringify(
    {
      "Authorization": "Bearer <密钥 / your consumer key>",
      "X-Purpose": "<用途 / a purpose your key is registered for>"
    },
    null,
    2
  );
  var query = [
    "# 在下方 Headers 中填入您的密钥和用途(demo 启动时打印了可直接粘贴的 Headers),",
    "# 然后点击运行。文档与自动补全只显示您的密钥可能获准读取的字段。",
    "# Put your key and purpose in Headers below (the demo prints headers ready to paste),",
    "# then run. Docs and autocomplete show the fields your key could ever be granted.",
    "query Person($idNumber: IdNumber!) {",
    "  person(idNumber: $idNumber) {",
    "    idNumber",
    "    identity { age region { fullName } }",
    "  }",
    "}",
    ""
  ].join("\n");
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: query,
      defaultHeaders: headers,
      variables: JSON.stringify({ idNumber: "<身份证号 / ID number>" }, null, 2),
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true
    })
  );
})();
