// Starts GraphiQL against this hub's /graphql. Served by the hub (no inline script: the
// page's CSP allows scripts from the hub only).
(function () {
  "use strict";
  var url = window.location.origin + window.location.pathname.replace(/\/+$/, "");
  var fetcher = GraphiQL.createFetcher({ url: url });
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
      defaultVariables: JSON.stringify({ idNumber: "<身份证号 / ID number>" }, null, 2),
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true
    })
  );
})();
