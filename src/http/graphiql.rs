//! GraphiQL, served entirely by the hub: the page, its start-up script and the pinned
//! GraphiQL/React build embedded in the binary (`assets/graphiql/`), so that it works on
//! an intranet with no internet. The page may talk to this hub and nothing else (CSP).

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The versions in `assets/graphiql/package.json`; part of each asset's URL, so that a
/// browser may cache an asset for good and a new build is a new URL.
const BUILD: &str = "graphiql-3.8.3-react-18.3.1";

/// One embedded file: name, media type, bytes.
type Asset = (&'static str, &'static str, &'static [u8]);

const ASSETS: &[Asset] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/vendor/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/vendor/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/vendor/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/vendor/react-dom.production.min.js"),
    ),
    (
        "start.js",
        "text/javascript; charset=utf-8",
        include_bytes!("graphiql_start.js"),
    ),
];

/// Scripts only from the hub itself (no inline script, no eval); GraphiQL's own inline
/// styles and embedded fonts/icons (`data:`) allowed; requests only to the hub.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// The GraphiQL page.
pub fn page() -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>archive-hub · GraphiQL</title>
<link rel="stylesheet" href="graphiql/{BUILD}/graphiql.min.css">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">正在加载 GraphiQL… / Loading GraphiQL…</div>
<script src="graphiql/{BUILD}/react.production.min.js"></script>
<script src="graphiql/{BUILD}/react-dom.production.min.js"></script>
<script src="graphiql/{BUILD}/graphiql.min.js"></script>
<script src="graphiql/{BUILD}/start.js"></script>
</body>
</html>
"#
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response()
}

/// `GET /graphiql/{build}/{file}`: an embedded asset, cacheable for a year (the URL
/// changes with the build); anything else is 404.
pub async fn asset(Path((build, file)): Path<(String, String)>) -> Response {
    let found = (build == BUILD)
        .then(|| ASSETS.iter().find(|(name, _, _)| *name == file))
        .flatten();
    let Some((_, media_type, bytes)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        *bytes,
    )
        .into_response()
}
