//! The parsed-document cache: department systems send the same few query texts all day,
//! so each text is tokenised, counted and parsed once, not on every request.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;

/// Total query text the cache holds (entries are weighed by their text's length; a parsed
/// document takes several times its text, so this bounds the cache to a few MiB).
const MAX_TEXT_BYTES: u64 = 1024 * 1024;

/// Query text → its parsed document, for texts that parsed and passed the token limit
/// (both depend on the text alone; every other shape limit is still checked per request,
/// as they depend on the variables too).
#[derive(Clone)]
pub struct DocumentCache(moka::sync::Cache<Arc<str>, Arc<ExecutableDocument>>);

impl Default for DocumentCache {
    fn default() -> Self {
        Self(
            moka::sync::Cache::builder()
                .weigher(|text: &Arc<str>, _| u32::try_from(text.len()).unwrap_or(u32::MAX))
                .max_capacity(MAX_TEXT_BYTES)
                .build(),
        )
    }
}

impl DocumentCache {
    /// The document of `text`, parsed by `parse` when not cached yet (a failure is not
    /// cached: refusals stay as cheap as they are).
    pub fn get_or_parse<E>(
        &self,
        text: &str,
        parse: impl FnOnce() -> Result<ExecutableDocument, E>,
    ) -> Result<ExecutableDocument, E> {
        if let Some(doc) = self.0.get(text) {
            return Ok((*doc).clone());
        }
        let doc = parse()?;
        self.0.insert(Arc::from(text), Arc::new(doc.clone()));
        Ok(doc)
    }
}
