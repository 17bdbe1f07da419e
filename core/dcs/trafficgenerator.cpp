#include "trafficgenerator.h"

#include <QBasicTimer>
#include <QElapsedTimer>
#include <QNetworkProxy>
#include <QObject>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QThread>
#include <QTimerEvent>

#include <algorithm>
#include <atomic>
#include <optional>
#include <vector>

namespace Dcs {

namespace {

constexpr int kTickMs = 5;             // pacing granularity: 5 calls per tick at 1,000/s
constexpr int kHousekeepingMs = 1000;  // how often unanswered calls are looked for
constexpr double kMaxBurstSeconds = 0.1; // credit kept after a stall: at most this much traffic
constexpr qsizetype kMaxAnswerBytes = 1 << 20;

// The catalogue the page signals come from. resources/demo/demo-workspace.json has rule traits
// on these values: keep the two in step.
struct ShopSection
{
    const char *name;
    const char *products[3];
};
constexpr ShopSection kShopSections[] = {
    {"sports", {"running-shoes", "tennis-racket", "road-bike"}},
    {"autos", {"suv-x5", "ev-city", "roof-box"}},
    {"travel", {"city-break", "beach-resort", "rail-pass"}},
    {"tech", {"headphones", "laptop-13", "smartwatch"}},
    {"food", {"espresso-machine", "cookbook", "olive-oil"}},
    {"fashion", {"rain-jacket", "sneakers", "wool-scarf"}},
};
constexpr const char *kReadingSections[] = {"news", "business", "culture"};
constexpr int kSectionCount = int(std::size(kShopSections)) + int(std::size(kReadingSections));
constexpr const char *kCampaigns[] = {"spring-sale", "newsletter", "retargeting"};

constexpr const char *kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
};
// Weighted by repetition: mostly English, some German, Spanish and French readers.
constexpr const char *kLanguages[] = {
    "en-US,en;q=0.9", "en-US,en;q=0.9", "en-GB,en;q=0.8",           "en-US,en;q=0.9",
    "de-DE,de;q=0.9,en;q=0.5",         "es-ES,es;q=0.9",           "es-MX,es;q=0.9,en;q=0.4",
    "fr-FR,fr;q=0.9,en;q=0.4",
};

template <typename T, size_t N>
int countOf(const T (&)[N])
{
    return int(N);
}

struct Visitor
{
    QByteArray uuid; // 38 digits, from the DCS's demdex cookie; empty until the first answer
    int interest = 0; // the section this visitor mostly reads (index over all sections)
    int language = 0;
    int userAgent = 0;
    qint64 partnerDpid = 0; // the data source of partnerId; 0: none
    QByteArray partnerId;
};

} // namespace

// What the generator shares with its thread: settings in, counters out.
struct TrafficShared
{
    std::atomic<double> rate{TrafficGenerator::kDefaultRate};
    std::atomic<bool> paused{false};
    std::atomic<quint64> sent{0};
    std::atomic<quint64> idSyncs{0};
    std::atomic<quint64> answered{0};
    std::atomic<quint64> errors{0};
    std::atomic<quint64> notSent{0};
    std::atomic<int> openConnections{0};
};

// The generator's thread: paces the calls, owns the sockets and the visitor pool.
class TrafficWorker final : public QObject
{
public:
    TrafficWorker(TrafficProfile profile, std::shared_ptr<TrafficShared> shared,
                  QHostAddress address, quint16 port)
        : m_profile(std::move(profile))
        , m_shared(std::move(shared))
        , m_address(std::move(address))
        , m_port(port)
        , m_random(m_profile.seed != 0 ? quint32(m_profile.seed)
                                       : QRandomGenerator::global()->generate())
    {
        m_clock.start();
        const QByteArray host = m_address.toString().toLatin1();
        m_hostHeader = "Host: "
                       + (m_address.protocol() == QAbstractSocket::IPv6Protocol
                              ? QByteArray('[' + host + ']')
                              : host)
                       + ':' + QByteArray::number(m_port) + "\r\n";
    }

    ~TrafficWorker() override
    {
        // Before QObject deletes the sockets as children: none may call back into a half
        // destroyed worker.
        for (const std::unique_ptr<Connection> &connection : m_connections) {
            connection->socket->disconnect(this);
            delete connection->socket;
        }
        m_shared->openConnections = 0;
    }

    // On the worker's thread, after start and whenever rate or pause changed.
    void updatePacing()
    {
        if (!m_housekeeping.isActive())
            m_housekeeping.start(kHousekeepingMs, this);
        if (m_shared->paused || m_shared->rate <= 0) {
            m_tick.stop();
            return;
        }
        if (!m_tick.isActive()) {
            m_lastTickNs = m_clock.nsecsElapsed();
            m_credit = 1; // the first call goes out at once
            m_tick.start(kTickMs, Qt::PreciseTimer, this);
        }
    }

protected:
    void timerEvent(QTimerEvent *event) override
    {
        if (event->timerId() == m_tick.timerId())
            tick();
        else if (event->timerId() == m_housekeeping.timerId())
            dropUnanswered();
    }

private:
    struct Connection
    {
        QTcpSocket *socket = nullptr;
        QByteArray buffer;
        bool inFlight = false;
        qint64 sentAtMs = 0;
        qsizetype headEnd = -1; // of the answer in buffer, once its head is complete
        qsizetype contentLength = 0;
        int status = 0;
        std::optional<Visitor> newVisitor; // of the call in flight: kept once the DCS names them
    };

    void tick()
    {
        const double rate = m_shared->rate;
        if (m_shared->paused || rate <= 0) {
            m_tick.stop();
            return;
        }
        const qint64 nowNs = m_clock.nsecsElapsed();
        m_credit += rate * double(nowNs - m_lastTickNs) / 1e9;
        m_lastTickNs = nowNs;
        m_credit = std::min(m_credit, std::max(1.0, rate * kMaxBurstSeconds));
        while (m_credit >= 1) {
            m_credit -= 1;
            sendOne();
        }
    }

    Connection *idleConnection()
    {
        // The most recently used first: the rest go idle and the DCS closes them after its
        // keep-alive timeout, so the pool shrinks back after a burst.
        if (!m_idle.empty()) {
            Connection *connection = m_idle.back();
            m_idle.pop_back();
            return connection;
        }
        if (int(m_connections.size()) >= TrafficGenerator::kMaxConnections)
            return nullptr;
        auto owned = std::make_unique<Connection>();
        Connection *connection = owned.get();
        connection->socket = new QTcpSocket(this);
        connection->socket->setProxy(QNetworkProxy::NoProxy);
        connect(connection->socket, &QTcpSocket::connected, this, [connection] {
            connection->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        });
        connect(connection->socket, &QTcpSocket::readyRead, this,
                [this, connection] { readAnswer(connection); });
        connect(connection->socket, &QTcpSocket::errorOccurred, this,
                [this, connection] { drop(connection, connection->inFlight); });
        connect(connection->socket, &QTcpSocket::disconnected, this,
                [this, connection] { drop(connection, connection->inFlight); });
        m_connections.push_back(std::move(owned));
        m_shared->openConnections = int(m_connections.size());
        // Written while connecting: the socket sends it once connected.
        connection->socket->connectToHost(m_address, m_port);
        return connection;
    }

    void sendOne()
    {
        Connection *connection = idleConnection();
        if (!connection) {
            ++m_shared->notSent;
            return;
        }
        connection->newVisitor.reset();
        const Visitor *visitor = nullptr;
        if (!m_visitors.empty() && m_random.generateDouble() < m_profile.returningShare) {
            visitor = &m_visitors[m_random.bounded(quint32(m_visitors.size()))];
        } else {
            connection->newVisitor = makeVisitor();
            visitor = &*connection->newVisitor;
        }
        const bool idSync = visitor->partnerDpid != 0 && !visitor->uuid.isEmpty()
                            && m_random.generateDouble() < m_profile.idSyncShare;
        const QByteArray request = idSync ? idSyncRequest(*visitor) : eventRequest(*visitor);
        connection->inFlight = true;
        connection->sentAtMs = m_clock.elapsed();
        connection->buffer.clear();
        connection->headEnd = -1;
        connection->socket->write(request);
        ++m_shared->sent;
        if (idSync)
            ++m_shared->idSyncs;
    }

    Visitor makeVisitor()
    {
        Visitor visitor;
        visitor.interest = int(m_random.bounded(kSectionCount));
        visitor.language = int(m_random.bounded(countOf(kLanguages)));
        visitor.userAgent = int(m_random.bounded(countOf(kUserAgents)));
        if (!m_profile.idSyncDpids.isEmpty()
            && m_random.generateDouble() < m_profile.partnerIdShare) {
            visitor.partnerDpid = m_profile.idSyncDpids.at(
                qsizetype(m_random.bounded(quint32(m_profile.idSyncDpids.size()))));
            visitor.partnerId = 'u' + QByteArray::number(visitor.partnerDpid) + '-'
                                + QByteArray::number(m_random.bounded(100000, 999999));
        }
        return visitor;
    }

    // The headers a browser sends, and the visitor's cookie when it uses one.
    void appendHeaders(QByteArray &request, const Visitor &visitor, bool withCookie,
                       const char *section)
    {
        request += " HTTP/1.1\r\n";
        request += m_hostHeader;
        request += "User-Agent: ";
        request += kUserAgents[visitor.userAgent];
        request += "\r\nAccept-Language: ";
        request += kLanguages[visitor.language];
        request += "\r\nReferer: https://shop.example/";
        request += section;
        request += "\r\n";
        if (withCookie) {
            request += "Cookie: demdex=";
            request += visitor.uuid;
            request += "\r\n";
        }
        request += "\r\n";
    }

    QByteArray eventRequest(const Visitor &visitor)
    {
        QByteArray request;
        request.reserve(640);
        request += "GET /event?d_rtbd=json&d_cts=1";
        const bool known = !visitor.uuid.isEmpty();
        const bool withCookie = known && m_random.generateDouble() < m_profile.cookieShare;
        if (known && !withCookie) {
            request += "&d_uuid=";
            request += visitor.uuid;
        }
        if (visitor.partnerDpid != 0 && m_random.generateDouble() < m_profile.declaredIdShare) {
            request += "&d_cid=";
            request += QByteArray::number(visitor.partnerDpid);
            request += "%01";
            request += visitor.partnerId;
        }
        // Most visits are to the visitor's favourite section.
        const int sectionIndex = m_random.generateDouble() < 0.6
                                     ? visitor.interest
                                     : int(m_random.bounded(kSectionCount));
        const bool shop = sectionIndex < countOf(kShopSections);
        const char *section = shop ? kShopSections[sectionIndex].name
                                   : kReadingSections[sectionIndex - countOf(kShopSections)];
        const char *product = shop ? kShopSections[sectionIndex].products[m_random.bounded(3)]
                                   : nullptr;
        const double page = m_random.generateDouble();
        if (page < 0.1) {
            request += "&c_page=home";
        } else if (page < 0.55 || !shop) {
            request += "&c_page=article&c_section=";
            request += section;
        } else if (page < 0.85) {
            request += "&c_page=product&c_section=";
            request += section;
            request += "&c_product=";
            request += product;
        } else {
            // A basket of a few tens to a few hundred euros, a third of them checking out.
            request += page < 0.95 ? "&c_page=basket&c_product=" : "&c_page=checkout&c_product=";
            request += product;
            request += "&c_basket=";
            request += QByteArray::number(5 + m_random.bounded(40000) / 100.0, 'f', 2);
        }
        if (m_random.generateDouble() < 0.05) {
            request += "&c_campaign=";
            request += kCampaigns[m_random.bounded(countOf(kCampaigns))];
        }
        appendHeaders(request, visitor, withCookie, section);
        return request;
    }

    QByteArray idSyncRequest(const Visitor &visitor)
    {
        QByteArray request;
        request.reserve(512);
        request += "GET /ibs:dpid=";
        request += QByteArray::number(visitor.partnerDpid);
        request += "&dpuuid=";
        request += visitor.partnerId;
        appendHeaders(request, visitor, true, "account");
        return request;
    }

    void readAnswer(Connection *connection)
    {
        connection->buffer += connection->socket->readAll();
        if (!connection->inFlight || connection->buffer.size() > kMaxAnswerBytes) {
            drop(connection, connection->inFlight); // nothing was asked, or far too much came
            return;
        }
        if (connection->headEnd < 0) {
            const qsizetype headEnd = connection->buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            connection->headEnd = headEnd;
            // Header names are case-insensitive; the DCS's answers always carry a length.
            const QByteArray head = connection->buffer.left(headEnd).toLower();
            connection->status = head.mid(9, 3).toInt();
            const QByteArrayView name = "\r\ncontent-length:";
            const qsizetype field = head.indexOf(name);
            if (field >= 0) {
                const qsizetype start = field + name.size();
                const qsizetype end = head.indexOf('\r', start); // -1: the last header
                connection->contentLength =
                    head.mid(start, end < 0 ? -1 : end - start).trimmed().toLongLong();
            } else {
                connection->contentLength = 0;
            }
        }
        if (connection->buffer.size() < connection->headEnd + 4 + connection->contentLength)
            return;
        finishAnswer(connection);
    }

    void finishAnswer(Connection *connection)
    {
        const QByteArray head = connection->buffer.left(connection->headEnd).toLower();
        connection->inFlight = false;
        if (connection->status > 0 && connection->status < 400) {
            ++m_shared->answered;
            if (connection->newVisitor)
                remember(*connection->newVisitor, head);
        } else {
            ++m_shared->errors;
        }
        connection->newVisitor.reset();
        connection->buffer.clear();
        connection->headEnd = -1;
        if (head.contains("\r\nconnection: close"))
            drop(connection, false);
        else
            m_idle.push_back(connection);
    }

    // A new visitor becomes a returning one under the uuid the DCS gave them.
    void remember(Visitor visitor, const QByteArray &head)
    {
        const qsizetype cookie = head.indexOf("\r\nset-cookie: demdex=");
        if (cookie < 0)
            return;
        const qsizetype start = cookie + qsizetype(sizeof("\r\nset-cookie: demdex=")) - 1;
        qsizetype end = start;
        while (end < head.size() && head.at(end) >= '0' && head.at(end) <= '9')
            ++end;
        if (end == start)
            return;
        visitor.uuid = head.mid(start, end - start);
        if (int(m_visitors.size()) < m_profile.visitorPool)
            m_visitors.push_back(std::move(visitor));
        else if (!m_visitors.empty())
            m_visitors[m_random.bounded(quint32(m_visitors.size()))] = std::move(visitor);
    }

    void dropUnanswered()
    {
        const qint64 now = m_clock.elapsed();
        std::vector<Connection *> stale;
        for (const auto &connection : m_connections) {
            if (connection->inFlight
                && now - connection->sentAtMs > TrafficGenerator::kAnswerTimeoutMs)
                stale.push_back(connection.get());
        }
        for (Connection *connection : stale)
            drop(connection, true);
    }

    // Forgets `connection`; a call in flight on it counts as an error.
    void drop(Connection *connection, bool callLost)
    {
        const auto owned = std::find_if(
            m_connections.begin(), m_connections.end(),
            [connection](const std::unique_ptr<Connection> &c) { return c.get() == connection; });
        if (owned == m_connections.end())
            return; // already dropped: a socket can report an error and then its disconnection
        if (callLost)
            ++m_shared->errors;
        m_idle.erase(std::remove(m_idle.begin(), m_idle.end(), connection), m_idle.end());
        QTcpSocket *socket = connection->socket;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater(); // this may run inside one of its own signals
        m_connections.erase(owned);
        m_shared->openConnections = int(m_connections.size());
    }

    const TrafficProfile m_profile;
    const std::shared_ptr<TrafficShared> m_shared;
    const QHostAddress m_address;
    const quint16 m_port;
    QByteArray m_hostHeader; // "Host: 127.0.0.1:8480\r\n"
    QRandomGenerator m_random;
    QBasicTimer m_tick;
    QBasicTimer m_housekeeping;
    QElapsedTimer m_clock; // started with the worker: pacing and answer timeouts
    qint64 m_lastTickNs = 0;
    double m_credit = 0; // calls due and not sent yet
    std::vector<std::unique_ptr<Connection>> m_connections;
    std::vector<Connection *> m_idle;
    std::vector<Visitor> m_visitors;
};

TrafficGenerator::TrafficGenerator(TrafficProfile profile)
    : m_profile(std::move(profile)), m_shared(std::make_shared<TrafficShared>())
{
}

TrafficGenerator::~TrafficGenerator()
{
    stop();
}

void TrafficGenerator::start(const QHostAddress &address, quint16 port)
{
    stop();
    QHostAddress target = address;
    if (address == QHostAddress(QHostAddress::AnyIPv6))
        target = QHostAddress(QHostAddress::LocalHostIPv6);
    else if (address.isNull() || address == QHostAddress(QHostAddress::AnyIPv4)
             || address == QHostAddress(QHostAddress::Any))
        target = QHostAddress(QHostAddress::LocalHost);
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("dcs-traffic"));
    m_worker = new TrafficWorker(m_profile, m_shared, target, port);
    m_worker->moveToThread(m_thread.get());
    // The worker and its sockets are deleted on their own thread as it finishes.
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    wakeWorker();
}

void TrafficGenerator::stop()
{
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
    m_worker = nullptr;
}

void TrafficGenerator::setRate(double callsPerSecond)
{
    // !(x > 0) also turns NaN into 0.
    m_shared->rate = !(callsPerSecond > 0) ? 0 : std::min(callsPerSecond, kMaxRate);
    wakeWorker();
}

double TrafficGenerator::rate() const
{
    return m_shared->rate;
}

void TrafficGenerator::setPaused(bool paused)
{
    m_shared->paused = paused;
    wakeWorker();
}

bool TrafficGenerator::isPaused() const
{
    return m_shared->paused;
}

TrafficGenerator::Counters TrafficGenerator::counters() const
{
    Counters counters;
    counters.sent = m_shared->sent;
    counters.idSyncs = m_shared->idSyncs;
    counters.answered = m_shared->answered;
    counters.errors = m_shared->errors;
    counters.notSent = m_shared->notSent;
    counters.openConnections = m_shared->openConnections;
    return counters;
}

void TrafficGenerator::wakeWorker()
{
    if (TrafficWorker *worker = m_worker)
        QMetaObject::invokeMethod(worker, [worker] { worker->updatePacing(); },
                                  Qt::QueuedConnection);
}

} // namespace Dcs
