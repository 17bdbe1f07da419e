#include "httpresponsereader.h"

namespace Dcs {

namespace {

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// Decimal without sign or overflow; -1 if not one.
qint64 decimal(QByteArrayView text)
{
    text = text.trimmed();
    if (text.isEmpty() || text.size() > 15)
        return -1;
    qint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

// A chunk size line: hex digits, optionally followed by extensions after ';'.
qint64 chunkSize(QByteArrayView line)
{
    if (const qsizetype semicolon = line.indexOf(';'); semicolon >= 0)
        line = line.first(semicolon);
    line = line.trimmed();
    if (line.isEmpty() || line.size() > 8)
        return -1;
    qint64 value = 0;
    for (const char c : line) {
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

} // namespace

void HttpResponseReader::reset()
{
    *this = HttpResponseReader();
}

HttpResponseReader::State HttpResponseReader::fail(QString reason, bool overLimit)
{
    m_state = State::Failed;
    m_error = std::move(reason);
    m_overLimit = overLimit;
    m_keepAlive = false;
    return m_state;
}

bool HttpResponseReader::parseHead(QByteArrayView head)
{
    const qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView statusLine = lineEnd < 0 ? head : head.first(lineEnd);
    // "HTTP/1.1 200 OK"
    if (!statusLine.startsWith("HTTP/1.") || statusLine.size() < 12 || statusLine.at(8) != ' ') {
        fail(QStringLiteral("not an HTTP/1.x answer (starts with \"%1\")")
                 .arg(QString::fromLatin1(statusLine.first(qMin<qsizetype>(40, statusLine.size()))).toHtmlEscaped()));
        return false;
    }
    const bool http10 = statusLine.at(7) == '0';
    const qint64 status = decimal(statusLine.sliced(9, 3));
    if (status < 100 || status > 999) {
        fail(QStringLiteral("bad status line \"%1\"")
                 .arg(QString::fromLatin1(statusLine.first(qMin<qsizetype>(60, statusLine.size())))));
        return false;
    }
    m_status = int(status);
    m_keepAlive = !http10;

    bool chunked = false;
    qint64 contentLength = -1;
    QByteArrayView rest = lineEnd < 0 ? QByteArrayView() : head.sliced(lineEnd + 2);
    while (!rest.isEmpty()) {
        qsizetype end = rest.indexOf("\r\n");
        const QByteArrayView line = end < 0 ? rest : rest.first(end);
        rest = end < 0 ? QByteArrayView() : rest.sliced(end + 2);
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            fail(QStringLiteral("malformed header line"));
            return false;
        }
        const QByteArrayView name = line.first(colon).trimmed();
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (equalsIgnoringCase(name, "content-length")) {
            const qint64 length = decimal(value);
            if (length < 0 || (contentLength >= 0 && contentLength != length)) {
                fail(QStringLiteral("bad Content-Length"));
                return false;
            }
            contentLength = length;
        } else if (equalsIgnoringCase(name, "transfer-encoding")) {
            chunked = QByteArray(value.data(), value.size()).toLower().contains("chunked");
        } else if (equalsIgnoringCase(name, "content-type")) {
            m_contentType = value.toByteArray();
        } else if (equalsIgnoringCase(name, "connection")) {
            const QByteArray lower = value.toByteArray().toLower();
            if (lower.contains("close"))
                m_keepAlive = false;
            else if (lower.contains("keep-alive"))
                m_keepAlive = true;
        }
    }

    if (m_status == 204 || m_status == 304 || m_status < 200) {
        if (m_status < 200) {
            fail(QStringLiteral("interim status %1 is not an answer").arg(m_status));
            return false;
        }
        m_phase = Phase::Done;
    } else if (chunked) {
        m_phase = Phase::ChunkSize;
    } else if (contentLength >= 0) {
        if (contentLength > MaxBodyBytes) {
            fail(QStringLiteral("answer over %1 bytes (Content-Length %2)")
                     .arg(MaxBodyBytes)
                     .arg(contentLength),
                 true);
            return false;
        }
        m_remaining = contentLength;
        m_phase = contentLength == 0 ? Phase::Done : Phase::FixedBody;
    } else {
        m_phase = Phase::ToClose; // no length: the body ends when the partner closes
        m_keepAlive = false;
    }
    return true;
}

HttpResponseReader::State HttpResponseReader::appendBody(QByteArrayView data)
{
    if (m_body.size() + data.size() > MaxBodyBytes)
        return fail(QStringLiteral("answer over %1 bytes").arg(MaxBodyBytes), true);
    m_body.append(data);
    return m_state;
}

HttpResponseReader::State HttpResponseReader::feed(QByteArrayView data)
{
    if (m_state != State::Incomplete)
        return m_state;
    m_bytesReceived += data.size();
    m_buffer.append(data);
    qsizetype consumed = 0; // of m_buffer, removed once at the end
    const auto available = [&] { return QByteArrayView(m_buffer).sliced(consumed); };

    while (m_state == State::Incomplete && m_phase != Phase::Done) {
        switch (m_phase) {
        case Phase::Head: {
            // Search from a little before the new bytes: the blank line may straddle reads.
            const qsizetype from = qMax<qsizetype>(0, m_buffer.size() - data.size() - 3);
            const qsizetype end = m_buffer.indexOf("\r\n\r\n", from);
            if (end < 0 || end > MaxHeaderBytes) {
                if (m_buffer.size() > MaxHeaderBytes)
                    return fail(QStringLiteral("answer headers over %1 bytes").arg(MaxHeaderBytes),
                                true);
                return m_state;
            }
            m_head = m_buffer.first(end);
            consumed = end + 4;
            if (!parseHead(m_head))
                return m_state;
            break;
        }
        case Phase::FixedBody:
        case Phase::ChunkData: {
            const QByteArrayView bytes = available();
            if (bytes.isEmpty()) {
                m_buffer.clear();
                return m_state;
            }
            const qsizetype take = qMin<qint64>(m_remaining, bytes.size());
            if (appendBody(bytes.first(take)) != State::Incomplete)
                return m_state;
            consumed += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_phase = m_phase == Phase::FixedBody ? Phase::Done : Phase::ChunkDataEnd;
            break;
        }
        case Phase::ToClose:
            if (appendBody(available()) != State::Incomplete)
                return m_state;
            m_buffer.clear();
            return m_state;
        case Phase::ChunkSize:
        case Phase::ChunkDataEnd:
        case Phase::Trailer: {
            const QByteArrayView bytes = available();
            const qsizetype end = bytes.indexOf("\r\n");
            if (end < 0) {
                if (bytes.size() > 1024)
                    return fail(QStringLiteral("chunk framing line over 1024 bytes"), true);
                m_buffer = bytes.toByteArray();
                return m_state;
            }
            const QByteArrayView line = bytes.first(end);
            consumed += end + 2;
            if (m_phase == Phase::ChunkDataEnd) {
                if (!line.isEmpty())
                    return fail(QStringLiteral("chunk not followed by CRLF"));
                m_phase = Phase::ChunkSize;
            } else if (m_phase == Phase::Trailer) {
                if (line.isEmpty())
                    m_phase = Phase::Done; // trailer fields, if any, are ignored
            } else {
                const qint64 size = chunkSize(line);
                if (size < 0)
                    return fail(QStringLiteral("bad chunk size"));
                if (m_body.size() + size > MaxBodyBytes)
                    return fail(QStringLiteral("answer over %1 bytes").arg(MaxBodyBytes), true);
                m_remaining = size;
                m_phase = size == 0 ? Phase::Trailer : Phase::ChunkData;
            }
            break;
        }
        case Phase::Done:
            break;
        }
    }
    if (m_state != State::Incomplete)
        return m_state;
    // Done: bytes beyond the answer mean this connection cannot be trusted for another call.
    if (consumed < m_buffer.size())
        m_keepAlive = false;
    m_buffer.clear();
    m_state = State::Complete;
    return m_state;
}

HttpResponseReader::State HttpResponseReader::finishAtClose()
{
    if (m_state != State::Incomplete)
        return m_state;
    if (m_phase == Phase::ToClose) {
        m_state = State::Complete;
        return m_state;
    }
    if (m_bytesReceived == 0)
        return fail(QStringLiteral("connection closed by the partner before any answer"));
    return fail(QStringLiteral("connection closed by the partner after %1 bytes of the answer")
                    .arg(m_bytesReceived));
}

} // namespace Dcs
