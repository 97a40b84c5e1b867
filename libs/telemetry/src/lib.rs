//! Process-wide telemetry: `tracing` logs (pretty on a terminal, JSON in production), an
//! OpenTelemetry tracer whose spans are exported over OTLP/HTTP when an endpoint is configured,
//! and the W3C trace-context propagator so one trace spans gateway and services.

use lacznik_config::{LogFormat, TelemetryConfig};
use opentelemetry::global;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider, Tracer};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the tracer provider alive; flushes pending spans when dropped.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// Wraps a provider built elsewhere (tests record spans in memory with it).
    pub fn from_provider(provider: SdkTracerProvider) -> Self {
        global::set_text_map_propagator(TraceContextPropagator::new());
        Self { provider }
    }

    /// A tracer for poem's `OpenTelemetryTracing` middleware.
    pub fn tracer(&self, component: &'static str) -> Tracer {
        self.provider.tracer(component)
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        // Export failures at shutdown cannot be handled anywhere useful.
        let _ = self.provider.shutdown();
    }
}

/// Installs logging and tracing for this process. Call once, first thing in `main`.
pub fn init(config: &TelemetryConfig) -> anyhow::Result<Telemetry> {
    let provider = tracer_provider(config)?;
    global::set_text_map_propagator(TraceContextPropagator::new());
    global::set_tracer_provider(provider.clone());

    let filter =
        EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(&config.log_filter))?;
    // `tracing` spans become OpenTelemetry spans only when they are exported somewhere.
    let otel_layer = config
        .otlp_endpoint
        .is_some()
        .then(|| tracing_opentelemetry::layer().with_tracer(provider.tracer("lacznik")));
    let registry = tracing_subscriber::registry().with(filter).with(otel_layer);
    match config.log_format {
        LogFormat::Pretty => registry
            .with(tracing_subscriber::fmt::layer().compact())
            .try_init()?,
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init()?,
    }
    Ok(Telemetry { provider })
}

/// Like [`init`], but tolerates a subscriber already installed (tests start many apps).
pub fn init_for_tests() -> Telemetry {
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::AlwaysOff)
        .build();
    global::set_text_map_propagator(TraceContextPropagator::new());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_test_writer()
        .try_init();
    Telemetry { provider }
}

/// With an OTLP endpoint: sample what the caller sampled, everything at the edge. Without one:
/// record nothing, but still create span contexts so trace ids are logged and `traceparent`
/// is passed from the gateway to the services.
fn tracer_provider(config: &TelemetryConfig) -> anyhow::Result<SdkTracerProvider> {
    let builder = SdkTracerProvider::builder();
    let builder = match &config.otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
                .build()?;
            builder
                .with_sampler(Sampler::ParentBased(Box::new(Sampler::AlwaysOn)))
                .with_batch_exporter(exporter)
        }
        None => builder.with_sampler(Sampler::AlwaysOff),
    };
    Ok(builder.build())
}

/// The current OpenTelemetry trace id as hex, for log fields and problem documents.
pub fn current_trace_id() -> Option<String> {
    let context = opentelemetry::Context::current();
    let span_context = context.span().span_context().clone();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

pub use opentelemetry_sdk::trace::Tracer as SdkTracer;
