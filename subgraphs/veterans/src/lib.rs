//! Veterans affairs' own Apollo Federation v2 subgraph: `Person @key(fields: "idNumber")`
//! with the bureau's veteran registrations, read from its own database. It knows nothing
//! of the hub; the hub reads it with `_entities` like any gateway would. Every answer
//! says, in `extensions.asOf`, as of when the bureau vouches for it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Enum, Object, Schema, SimpleObject,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use entities::veterans::{veteran, VeteranCategory as DbCategory};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// 退役军人类别.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VeteranCategory {
    /// 自主就业退役士兵
    SelfEmployedSoldier,
    /// 自主择业军队转业干部
    SelfChosenCareerOfficer,
    /// 复员干部
    DemobilisedCadre,
    Other,
}

impl From<DbCategory> for VeteranCategory {
    fn from(c: DbCategory) -> Self {
        match c {
            DbCategory::SelfEmployedSoldier => Self::SelfEmployedSoldier,
            DbCategory::SelfChosenCareerOfficer => Self::SelfChosenCareerOfficer,
            DbCategory::DemobilisedCadre => Self::DemobilisedCadre,
            DbCategory::Other => Self::Other,
        }
    }
}

/// One veteran registration.
#[derive(SimpleObject, Debug, Clone)]
pub struct VeteranRecord {
    /// The bureau's row id.
    pub id: i64,
    pub id_number: String,
    pub category: VeteranCategory,
    /// `YYYY-MM-DD`.
    pub discharged_on: String,
    /// GB/T 2260 code of the registering county.
    pub region_code: String,
}

/// What the bureau holds about one person (empty lists when nothing).
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct VeteransRecords {
    pub records: Vec<VeteranRecord>,
}

/// A person, as far as veterans affairs knows them.
pub struct Person {
    id_number: String,
}

#[Object]
impl Person {
    async fn id_number(&self) -> &str {
        &self.id_number
    }

    /// Every registration of this person, oldest discharge first.
    async fn veterans(&self, ctx: &Context<'_>) -> async_graphql::Result<VeteransRecords> {
        let loader = ctx.data::<DataLoader<Registrations, HashMapCache>>()?;
        Ok(loader
            .load_one(self.id_number.clone())
            .await?
            .unwrap_or_default())
    }
}

/// Reads the registrations of every person of one `_entities` call in one statement.
pub struct Registrations(DatabaseConnection);

impl Loader<String> for Registrations {
    type Value = VeteransRecords;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, VeteransRecords>, Self::Error> {
        let rows = veteran::Entity::find()
            .filter(veteran::Column::IdNumber.is_in(keys.iter().cloned()))
            .order_by_asc(veteran::Column::IdNumber)
            .order_by_asc(veteran::Column::DischargedOn)
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        // Every key answered, empty where nothing is held: a missing key would be read
        // again by the next `load_one`.
        let mut out: HashMap<String, VeteransRecords> = keys
            .iter()
            .map(|k| (k.clone(), VeteransRecords::default()))
            .collect();
        for m in rows {
            out.entry(m.id_number.clone())
                .or_default()
                .records
                .push(VeteranRecord {
                    id: m.id,
                    id_number: m.id_number,
                    category: m.category.into(),
                    discharged_on: m.discharged_on.format("%Y-%m-%d").to_string(),
                    region_code: m.region_code,
                });
        }
        Ok(out)
    }
}

pub struct Query;

#[Object]
impl Query {
    /// One person's registrations.
    async fn veteran(&self, id_number: String) -> Person {
        Person { id_number }
    }

    #[graphql(entity)]
    async fn find_person_by_id_number(&self, id_number: String) -> Person {
        Person { id_number }
    }
}

pub type VeteransSchema = Schema<Query, EmptyMutation, EmptySubscription>;

fn schema() -> VeteransSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// The subgraph SDL (what a gateway composes).
pub fn sdl() -> String {
    schema().sdl_with_options(async_graphql::SDLExportOptions::new().federation())
}

#[derive(Clone)]
struct AppState {
    schema: VeteransSchema,
    db: DatabaseConnection,
    token: Option<Arc<str>>,
}

async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<async_graphql::Request>,
) -> Response {
    if let Some(token) = &state.token {
        let presented = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(token) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }
    let loader = DataLoader::with_cache(
        Registrations(state.db.clone()),
        tokio::spawn,
        HashMapCache::default(),
    );
    // `_entities` resolves each representation on its own; read every person the
    // variables name in one statement first, so that they all come from the cache.
    let named: Vec<String> = match req.variables.get("representations") {
        Some(async_graphql::Value::List(items)) => items
            .iter()
            .filter_map(|r| match r {
                async_graphql::Value::Object(o) => match o.get("idNumber") {
                    Some(async_graphql::Value::String(s)) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    if !named.is_empty() && loader.load_many(named).await.is_err() {
        let errors =
            serde_json::json!({ "errors": [{ "message": "veterans database unavailable" }] });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(errors)).into_response();
    }
    let mut resp = state.schema.execute(req.data(loader)).await;
    resp.extensions.insert(
        "asOf".to_string(),
        async_graphql::Value::String(chrono::Utc::now().to_rfc3339()),
    );
    Json(resp).into_response()
}

/// The subgraph's routes: `POST /graphql`.
pub fn router(db: DatabaseConnection, token: Option<String>) -> Router {
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(AppState {
            schema: schema(),
            db,
            token: token.map(Into::into),
        })
}

/// Serves the subgraph on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: DatabaseConnection,
    token: Option<String>,
) -> std::io::Result<()> {
    axum::serve(listener, router(db, token)).await
}
