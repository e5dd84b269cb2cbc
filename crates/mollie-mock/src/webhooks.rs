//! Webhook deliveries: when a payment's status changes (the control API, *Cancel payment*,
//! *Release authorization*), or one of its refunds or chargebacks does, the classic webhook
//! (`id=tr_...`) goes to the payment's `webhookUrl` and, with a signing secret, a signed
//! next-gen event goes along (`payment.paid`, `refund.refunded`, `chargeback.received` ...);
//! each is retried on a bounded schedule and logged.
//!
//! Deliveries wait in one queue, ordered by when their next attempt is due on the mock's
//! clock, and a pool of [`WORKERS`] tasks sends them (never under the store's lock): a year
//! of subscription payments is a queue of small jobs, not thousands of tasks. The queue is
//! bounded in bytes (`MockConfig::max_webhook_queue_bytes`); a delivery that finds it full
//! is logged as failed and not sent. Queued deliveries are dropped when the log is cleared or the mock reset (a
//! new generation) or when the server stops; `MockServer::shutdown` waits for the workers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use mollie_models::webhooks::{
    EventEntity, EventLinks, EventType, SIGNATURE_HEADER, SigningSecret, WebhookEvent, sign,
};
use mollie_models::{
    Chargeback, ChargebackId, Link, Payment, PaymentId, PaymentStatus, Refund, RefundId, Timestamp,
};
use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::app::lock;
use crate::clock::{self, VirtualClock};
use crate::ids::random_id;

/// Mollie tries a webhook up to 10 times over about 26 hours (of the mock's clock). These are the waits before
/// the nine retries: 1, 5, 15 and 30 minutes, then 1, 2, 4, 8 and 10 hours (25 h 51 min).
pub(crate) const DEFAULT_RETRY_DELAYS: [Duration; 9] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(15 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(10 * 3600),
];
/// How long one attempt may take, as at Mollie.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// How many deliveries the log keeps (the most recent ones).
const MAX_LOGGED: usize = 10_000;
/// Mollie's own user agent, marked as the mock's.
const USER_AGENT: &str = "Mollie HTTP client/1.0 (mollie-mock)";
/// Where Mollie documents next-gen webhooks.
const EVENTS_DOC: &str = "https://docs.mollie.com/reference/webhooks-new";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
/// The generation of a stopped server: no delivery starts or continues.
const STOPPED: u64 = u64::MAX;
/// How many deliveries are sent at the same time: a receiver that hangs holds one worker
/// for the attempt's timeout, never the others.
pub(crate) const WORKERS: usize = 16;
/// How much the queued deliveries may take by default (their bodies, URLs and
/// bookkeeping).
pub(crate) const DEFAULT_MAX_QUEUED_BYTES: usize = 64 << 20;
/// The bookkeeping of one queued delivery, beyond its body and URL.
const JOB_OVERHEAD: usize = 160;

/// Which webhook a delivery sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DeliveryKind {
    /// The classic webhook: `POST` of the form body `id=tr_...` to the payment's `webhookUrl`.
    Classic,
    /// The next-gen webhook: `POST` of a signed JSON event (`X-Mollie-Signature`).
    Event,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// Still trying: in an attempt or waiting for the next one.
    Pending,
    /// An attempt was answered with a 2xx status.
    Delivered,
    /// Every attempt of the schedule failed.
    Failed,
}

/// One try of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// The status the receiver answered, if it answered.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout, ...), if there was none.
    pub error: Option<String>,
    /// When the attempt ended, by the mock's clock (`2024-03-20T09:13:37+00:00`).
    pub at: String,
}

/// One webhook the mock sent (or is sending) after a payment's status changed (or one of its
/// refunds or chargebacks did), as `GET /__mock/webhooks` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// Increasing number of the delivery since the server started.
    pub id: u64,
    /// The payment it is about.
    pub payment_id: PaymentId,
    /// The payment's status (the one it changed to, for a payment's status change).
    pub payment_status: PaymentStatus,
    /// The refund whose status changed, for a refund's webhooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<RefundId>,
    /// The chargeback received or reversed, for a chargeback's webhooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chargeback_id: Option<ChargebackId>,
    /// Classic or next-gen.
    pub kind: DeliveryKind,
    /// Where it is sent.
    pub url: String,
    /// The event's id (`event_...`), for next-gen deliveries.
    pub event_id: Option<String>,
    /// The event's type (`payment.paid`, `refund.refunded`, `chargeback.received`, ...),
    /// for next-gen deliveries.
    pub event_type: Option<EventType>,
    /// The exact body sent (`id=tr_...`, or the event's JSON).
    pub body: String,
    /// The `X-Mollie-Signature` sent, for next-gen deliveries.
    pub signature: Option<String>,
    /// The attempts so far, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    /// Where it stands.
    pub outcome: DeliveryOutcome,
}

/// How webhooks are sent (from `MockConfig`).
#[derive(Clone)]
pub(crate) struct WebhookSettings {
    /// The waits before each retry; one attempt more than there are delays.
    pub retry_delays: Vec<Duration>,
    /// The time limit of one attempt.
    pub timeout: Duration,
    /// With it, every status change also sends a signed next-gen event.
    pub signing_secret: Option<SigningSecret>,
    /// Where next-gen events go; without it, to the payment's `webhookUrl`.
    pub event_url: Option<String>,
    /// How much the queued deliveries may take.
    pub max_queued_bytes: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            retry_delays: DEFAULT_RETRY_DELAYS.to_vec(),
            timeout: DEFAULT_TIMEOUT,
            signing_secret: None,
            event_url: None,
            max_queued_bytes: DEFAULT_MAX_QUEUED_BYTES,
        }
    }
}

/// The bounded log of deliveries.
struct DeliveryLog {
    entries: VecDeque<WebhookDelivery>,
    next_id: u64,
}

impl DeliveryLog {
    fn push(&mut self, mut delivery: WebhookDelivery) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        delivery.id = id;
        while self.entries.len() >= MAX_LOGGED {
            self.entries.pop_front();
        }
        self.entries.push_back(delivery);
        id
    }

    fn update(&mut self, id: u64, change: impl FnOnce(&mut WebhookDelivery)) {
        // Ids increase along the log, so the entry is found by its distance from the front.
        let Some(front) = self.entries.front().map(|d| d.id) else {
            return;
        };
        if let Some(entry) = id
            .checked_sub(front)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.entries.get_mut(i))
            .filter(|d| d.id == id)
        {
            change(entry);
        }
    }
}

/// A delivery waiting for its next attempt.
struct Job {
    id: u64,
    generation: u64,
    out: Outgoing,
    /// Attempts made so far.
    attempts: usize,
    /// When the next attempt is due on the wall clock too: a retry is due when the mock's
    /// clock or the wall clock has waited out its delay, so that a base clock that stands
    /// still (`MockConfig::clock` in tests) never holds retries back.
    due_wall: tokio::time::Instant,
}

impl Job {
    fn cost(&self) -> usize {
        self.out.body.len() + self.out.url.len() + JOB_OVERHEAD
    }
}

/// The deliveries waiting, by when their next attempt is due (and their id).
#[derive(Default)]
struct Queue {
    jobs: BTreeMap<(SystemTime, u64), Job>,
    bytes: usize,
}

/// What one delivery sends.
struct Outgoing {
    url: String,
    body: Vec<u8>,
    content_type: &'static str,
    signature: Option<String>,
}

/// The webhook machinery of a running mock.
pub(crate) struct Webhooks {
    settings: WebhookSettings,
    clock: Arc<VirtualClock>,
    runtime: Handle,
    log: Mutex<DeliveryLog>,
    /// Bumped to cancel the deliveries in progress (clear, reset); `STOPPED` at shutdown.
    generation: watch::Sender<u64>,
    /// How many deliveries are in progress (queued or in an attempt).
    pending: watch::Sender<usize>,
    queue: Mutex<Queue>,
    /// Wakes a worker: a job was queued.
    queued: Notify,
    /// The workers, started with the first delivery.
    tasks: Mutex<JoinSet<()>>,
    started: OnceLock<()>,
    /// Built at the first delivery: most mocks never send a webhook.
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl Webhooks {
    /// Must be called on the tokio runtime that will run the deliveries.
    pub fn new(settings: WebhookSettings, clock: Arc<VirtualClock>) -> Self {
        Self {
            settings,
            clock,
            runtime: Handle::current(),
            log: Mutex::new(DeliveryLog {
                entries: VecDeque::new(),
                next_id: 1,
            }),
            generation: watch::Sender::new(0),
            pending: watch::Sender::new(0),
            queue: Mutex::new(Queue::default()),
            queued: Notify::new(),
            tasks: Mutex::new(JoinSet::new()),
            started: OnceLock::new(),
            client: OnceLock::new(),
        }
    }

    /// The logged deliveries, oldest first.
    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.log).entries.iter().cloned().collect()
    }

    /// What the deliveries waiting for an attempt take, as the queue counts them, and its
    /// bound (`MockConfig::max_webhook_queue_bytes`).
    pub fn queue_bytes(&self) -> (usize, usize) {
        (lock(&self.queue).bytes, self.settings.max_queued_bytes)
    }

    /// Cancels the deliveries in progress and empties the log.
    pub fn clear(&self) {
        // Under the log's lock, so that a delivery is either logged before (then canceled
        // and forgotten here) or after (then of the new generation), never lost in between.
        let mut log = lock(&self.log);
        self.generation.send_modify(|g| {
            if *g != STOPPED {
                *g += 1;
            }
        });
        log.entries.clear();
        drop(log);
        self.drop_queued();
    }

    /// Cancels the deliveries in progress for good: the server stops.
    pub fn stop(&self) {
        self.generation.send_replace(STOPPED);
        self.drop_queued();
    }

    /// Forgets the queued deliveries (of a generation that ended).
    fn drop_queued(&self) {
        let dropped = {
            let mut queue = lock(&self.queue);
            queue.bytes = 0;
            std::mem::take(&mut queue.jobs).len()
        };
        self.pending.send_modify(|n| *n = n.saturating_sub(dropped));
    }

    /// Waits until every delivery task has ended (after [`Webhooks::stop`]: at once).
    pub async fn join(&self) {
        let mut tasks = std::mem::take(&mut *lock(&self.tasks));
        while tasks.join_next().await.is_some() {}
    }

    /// Waits until no delivery is in progress.
    pub async fn idle(&self) {
        let mut pending = self.pending.subscribe();
        // The sender lives as long as `self`, so this cannot fail.
        let _ = pending.wait_for(|n| *n == 0).await;
    }

    /// Sends the webhooks of a status change of `payment`: the classic one to `webhook_url`
    /// and, with a signing secret, the next-gen event. `base` is where the event's links
    /// point.
    pub fn notify(self: &Arc<Self>, payment: &Payment, webhook_url: Option<&str>, base: &str) {
        let now = self.clock.now();
        self.notify_payment(
            &payment.id,
            &payment.status,
            webhook_url,
            (base, now),
            || payment.clone(),
        );
    }

    /// [`Webhooks::notify`] for payment `id`, which became `status` at `at` (the mock's
    /// time of the change: an event's `createdAt`), rendered by `render` only when a
    /// next-gen event needs the whole payment.
    pub fn notify_payment(
        self: &Arc<Self>,
        id: &PaymentId,
        status: &PaymentStatus,
        webhook_url: Option<&str>,
        (base, at): (&str, SystemTime),
        render: impl FnOnce() -> Payment,
    ) {
        let subject = || Subject {
            event_type: format!("payment.{status}"),
            entity_id: id.as_str().to_owned(),
            entity: EventEntity::Payment(Box::new(render())),
            entity_href: format!("{base}/v2/payments/{id}"),
        };
        self.send_at(
            (id, status),
            (true, None, None),
            subject,
            webhook_url,
            (base, at),
        );
    }

    /// Sends the webhooks of a status change of `refund` of `payment`: the classic one
    /// (`id=tr_...`, to the payment's `webhook_url`) for the statuses Mollie calls it for
    /// ([`crate::refund_state::calls_classic_webhook`]), and the next-gen `refund.<status>`
    /// event for every change.
    pub fn notify_refund(
        self: &Arc<Self>,
        payment: &Payment,
        refund: &Refund,
        webhook_url: Option<&str>,
        base: &str,
    ) {
        let subject = || Subject {
            event_type: format!("refund.{}", refund.status),
            entity_id: refund.id.as_str().to_owned(),
            entity: EventEntity::Other(serde_json::to_value(refund).unwrap_or_default()),
            entity_href: refund.links.self_.href.clone(),
        };
        let classic = crate::refund_state::calls_classic_webhook(&refund.status);
        let refs = (classic, Some(refund.id.clone()), None);
        self.send(
            (&payment.id, &payment.status),
            refs,
            subject,
            webhook_url,
            base,
        );
    }

    /// Sends the webhooks of `chargeback` of `payment`, received or reversed: the classic one
    /// (`id=tr_...`) and the next-gen `chargeback.received` or `chargeback.reversed` event.
    pub fn notify_chargeback(
        self: &Arc<Self>,
        payment: &Payment,
        chargeback: &Chargeback,
        webhook_url: Option<&str>,
        base: &str,
    ) {
        let what = if chargeback.reversed_at.is_some() {
            "reversed"
        } else {
            "received"
        };
        let subject = || Subject {
            event_type: format!("chargeback.{what}"),
            entity_id: chargeback.id.as_str().to_owned(),
            entity: EventEntity::Other(serde_json::to_value(chargeback).unwrap_or_default()),
            entity_href: chargeback.links.self_.href.clone(),
        };
        let refs = (true, None, Some(chargeback.id.clone()));
        self.send(
            (&payment.id, &payment.status),
            refs,
            subject,
            webhook_url,
            base,
        );
    }

    /// Sends the classic webhook about `payment` (when `classic`) and the event `subject`
    /// describes (made only when an event goes out).
    fn send(
        self: &Arc<Self>,
        payment: (&PaymentId, &PaymentStatus),
        refs: (bool, Option<RefundId>, Option<ChargebackId>),
        subject: impl FnOnce() -> Subject,
        webhook_url: Option<&str>,
        base: &str,
    ) {
        let now = self.clock.now();
        self.send_at(payment, refs, subject, webhook_url, (base, now));
    }

    /// [`Webhooks::send`] of a change at `now` on the mock's clock.
    fn send_at(
        self: &Arc<Self>,
        payment: (&PaymentId, &PaymentStatus),
        (classic, refund_id, chargeback_id): (bool, Option<RefundId>, Option<ChargebackId>),
        subject: impl FnOnce() -> Subject,
        webhook_url: Option<&str>,
        (base, now): (&str, SystemTime),
    ) {
        let refs = (refund_id, chargeback_id);
        if let Some(url) = webhook_url.filter(|_| classic) {
            // Ids are `[A-Za-z0-9_-]`: nothing in them needs form encoding.
            let out = Outgoing {
                url: url.to_owned(),
                body: format!("id={}", payment.0).into_bytes(),
                content_type: FORM,
                signature: None,
            };
            self.start(payment, DeliveryKind::Classic, None, refs.clone(), out);
        }
        let event_url = self.settings.event_url.as_deref().or(webhook_url);
        if let (Some(secret), Some(url)) = (&self.settings.signing_secret, event_url) {
            let event = event(subject(), base, now);
            let body = serde_json::to_vec(&event.to_json()).unwrap_or_default();
            let out = Outgoing {
                url: url.to_owned(),
                signature: Some(sign(&body, secret)),
                body,
                content_type: JSON,
            };
            self.start(
                payment,
                DeliveryKind::Event,
                Some((event.id, event.event_type)),
                refs,
                out,
            );
        }
    }

    fn start(
        self: &Arc<Self>,
        (payment_id, payment_status): (&PaymentId, &PaymentStatus),
        kind: DeliveryKind,
        event: Option<(String, EventType)>,
        (refund_id, chargeback_id): (Option<RefundId>, Option<ChargebackId>),
        out: Outgoing,
    ) {
        let (event_id, event_type) = event.unzip();
        let mut log = lock(&self.log);
        let generation = *self.generation.borrow();
        if generation == STOPPED {
            return;
        }
        let id = log.push(WebhookDelivery {
            id: 0,
            payment_id: payment_id.clone(),
            payment_status: payment_status.clone(),
            refund_id,
            chargeback_id,
            kind,
            url: out.url.clone(),
            event_id,
            event_type,
            body: String::from_utf8_lossy(&out.body).into_owned(),
            signature: out.signature.clone(),
            attempts: Vec::new(),
            outcome: DeliveryOutcome::Pending,
        });
        drop(log);
        let job = Job {
            id,
            generation,
            out,
            attempts: 0,
            due_wall: tokio::time::Instant::now(),
        };
        let cost = job.cost();
        {
            let mut queue = lock(&self.queue);
            let max = self.settings.max_queued_bytes;
            if queue.bytes.saturating_add(cost) > max {
                drop(queue);
                let at = clock::timestamp(self.clock.now());
                lock(&self.log).update(id, |d| {
                    d.attempts.push(DeliveryAttempt {
                        status: None,
                        error: Some(format!(
                            "not sent: the mock's webhook queue is full ({max} bytes, MockConfig::max_webhook_queue_bytes)"
                        )),
                        at,
                    });
                    d.outcome = DeliveryOutcome::Failed;
                });
                return;
            }
            self.pending.send_modify(|n| *n += 1);
            queue.bytes += cost;
            queue.jobs.insert((self.clock.now(), id), job);
        }
        self.start_workers();
        self.queued.notify_one();
    }

    /// Starts the pool of workers, once.
    fn start_workers(self: &Arc<Self>) {
        self.started.get_or_init(|| {
            let mut tasks = lock(&self.tasks);
            for _ in 0..WORKERS {
                tasks.spawn_on(self.clone().work(), &self.runtime);
            }
        });
    }

    /// A worker: takes the delivery due first, makes one attempt, and queues the next one on
    /// the schedule, until the server stops.
    async fn work(self: Arc<Self>) {
        let mut generation = self.generation.subscribe();
        loop {
            // Registered before the queue is looked at, so that no job queued meanwhile is
            // missed.
            let queued = self.queued.notified();
            let current = *generation.borrow_and_update();
            if current == STOPPED {
                return;
            }
            let (job, next_due) = {
                let mut queue = lock(&self.queue);
                let now = self.clock.now();
                let wall = tokio::time::Instant::now();
                match queue
                    .jobs
                    .first_key_value()
                    .map(|(k, job)| (k.0, job.due_wall))
                {
                    Some((due, due_wall)) if due <= now || due_wall <= wall => {
                        let job = queue.jobs.pop_first().map(|(_, job)| job);
                        if let Some(job) = &job {
                            queue.bytes = queue.bytes.saturating_sub(job.cost());
                        }
                        (job, None)
                    }
                    other => (None, other),
                }
            };
            let Some(job) = job else {
                tokio::select! {
                    () = queued => {}
                    () = async {
                        match next_due {
                            Some((due, due_wall)) => tokio::select! {
                                () = self.clock.sleep_until(due) => {}
                                () = tokio::time::sleep_until(due_wall) => {}
                            },
                            None => std::future::pending().await,
                        }
                    } => {}
                    _ = generation.changed() => {}
                }
                continue;
            };
            // A job of a generation that ended (a clear or reset since it was queued) is
            // dropped; one queued after the clear began (a newer generation) is sent.
            let current = *self.generation.borrow();
            if current == STOPPED || job.generation < current {
                self.pending.send_modify(|n| *n = n.saturating_sub(1));
                continue;
            }
            tokio::select! {
                () = self.attempt(job) => {}
                // A clear, reset or stop drops a request in flight.
                _ = generation.wait_for(|g| *g != current) => {
                    self.pending.send_modify(|n| *n = n.saturating_sub(1));
                }
            }
        }
    }

    fn client(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .user_agent(USER_AGENT)
                    // Mollie does not follow redirects: a 3xx is a failed attempt.
                    .redirect(reqwest::redirect::Policy::none())
                    // Receivers are local; a proxy from the environment must not get in between.
                    .no_proxy()
                    .build()
                    .map_err(|e| format!("no HTTP client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// One attempt of `job`; on failure it goes back in the queue, due after the next delay
    /// of the schedule (on the mock's clock), unless the schedule is done.
    async fn attempt(&self, mut job: Job) {
        let result = match self.client() {
            Ok(client) => send(client, &job.out, self.settings.timeout).await,
            Err(e) => Err(e),
        };
        let delivered = matches!(result, Ok(status) if (200..300).contains(&status));
        let (status, error) = match result {
            Ok(status) => (Some(status), None),
            Err(error) => (None, Some(error)),
        };
        let ended = self.clock.now();
        let at = clock::timestamp(ended);
        let next = if delivered {
            None
        } else {
            self.settings.retry_delays.get(job.attempts)
        };
        lock(&self.log).update(job.id, |d| {
            d.attempts.push(DeliveryAttempt { status, error, at });
            if delivered {
                d.outcome = DeliveryOutcome::Delivered;
            } else if next.is_none() {
                d.outcome = DeliveryOutcome::Failed;
            }
        });
        if let Some((due, delay)) = next.and_then(|d| ended.checked_add(*d).map(|due| (due, *d))) {
            job.attempts += 1;
            job.due_wall = tokio::time::Instant::now() + delay;
            let cost = job.cost();
            let mut queue = lock(&self.queue);
            // A clear or reset while the attempt ran: the delivery ends here.
            if job.generation == *self.generation.borrow() {
                queue.bytes += cost;
                queue.jobs.insert((due, job.id), job);
                drop(queue);
                self.queued.notify_one();
                return;
            }
        }
        self.pending.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// One attempt: the status answered, or why there was none.
async fn send(client: &reqwest::Client, out: &Outgoing, timeout: Duration) -> Result<u16, String> {
    let mut request = client
        .post(&out.url)
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, out.content_type)
        .body(out.body.clone());
    if let Some(signature) = &out.signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    // The answer's body means nothing to Mollie; it is not read.
    match request.send().await {
        Ok(response) => Ok(response.status().as_u16()),
        Err(e) => Err(describe(&e, timeout)),
    }
}

/// A short reason for a failed attempt, with the root cause (`Connection refused ...`).
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {} ms", timeout.as_millis());
    }
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_builder() {
        "invalid request"
    } else {
        "request failed"
    };
    let mut root: &dyn std::error::Error = e;
    while let Some(source) = root.source() {
        root = source;
    }
    format!("{kind}: {root}")
}

/// What a next-gen event is about: its type and entity.
struct Subject {
    event_type: String,
    entity_id: String,
    entity: EventEntity,
    /// The entity in the API.
    entity_href: String,
}

/// The next-gen event of `subject`, with its entity.
fn event(subject: Subject, base: &str, now: SystemTime) -> WebhookEvent {
    // Mollie's event ids are about 20 random characters.
    let id = format!("event_{}{}", random_id(""), random_id(""));
    WebhookEvent {
        resource: "event".to_owned(),
        event_type: EventType::from(subject.event_type),
        entity_id: subject.entity_id,
        created_at: Timestamp::new(clock::timestamp(now)),
        entity: Some(subject.entity),
        links: EventLinks {
            // The mock does not serve events; the link has Mollie's shape all the same.
            self_: Some(Link::api(format!("{base}/v2/events/{id}"))),
            entity: Some(Link::api(subject.entity_href)),
            documentation: Some(Link::html(EVENTS_DOC)),
        },
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_resembles_mollies() {
        // Ten attempts over about 26 hours.
        assert_eq!(DEFAULT_RETRY_DELAYS.len() + 1, 10);
        let total: Duration = DEFAULT_RETRY_DELAYS.iter().sum();
        assert_eq!(total, Duration::from_secs(25 * 3600 + 51 * 60));
        assert!(
            DEFAULT_RETRY_DELAYS.windows(2).all(|w| w[0] <= w[1]),
            "waits grow"
        );
    }

    #[test]
    fn log_is_bounded_and_updates_by_id() {
        let mut log = DeliveryLog {
            entries: VecDeque::new(),
            next_id: 1,
        };
        let delivery = |n: u64| WebhookDelivery {
            id: 0,
            payment_id: PaymentId::parse("tr_abc").expect("id"),
            payment_status: PaymentStatus::Paid,
            refund_id: None,
            chargeback_id: None,
            kind: DeliveryKind::Classic,
            url: format!("http://127.0.0.1:9/{n}"),
            event_id: None,
            event_type: None,
            body: "id=tr_abc".to_owned(),
            signature: None,
            attempts: Vec::new(),
            outcome: DeliveryOutcome::Pending,
        };
        for n in 0..(MAX_LOGGED as u64 + 5) {
            log.push(delivery(n));
        }
        assert_eq!(log.entries.len(), MAX_LOGGED);
        assert_eq!(log.entries.front().map(|d| d.id), Some(6));
        log.update(7, |d| d.outcome = DeliveryOutcome::Delivered);
        log.update(1, |d| d.outcome = DeliveryOutcome::Failed); // evicted: ignored
        assert_eq!(log.entries[1].outcome, DeliveryOutcome::Delivered);
        assert!(
            log.entries
                .iter()
                .all(|d| d.outcome != DeliveryOutcome::Failed)
        );
    }
}
