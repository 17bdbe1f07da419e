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
    // Exactly three digits: "HTTP/1.1 2000" is not status 200.
    const qint64 status = statusLine.size() > 12 && statusLine.at(12) != ' '
                              ? -1
                              : decimal(statusLine.sliced(9, 3));
    if (status < 100 || status > 999) {
        fail(QStringLiteral("bad status line \"%1\"")
                 .arg(QString::fromLatin1(statusLine.first(qMin<qsizetype>(60, statusLine.size())))));
        return false;
    }
    m_status = int(status);
    if (m_status < 200) {
        if (m_status == 101) {
            fail(QStringLiteral("interim status %1 is not an answer").arg(m_status));
            return false;
        }
        // RFC 9110 15.2: a client must read 1xx answers it did not ask for (some servers send
        // "100 Continue" unasked). They have no body; the real answer follows.
        m_phase = Phase::Head;
        return true;
    }
    m_keepAlive = !http10;

    bool chunked = false;
    bool transferEncoding = false;
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
            // RFC 9112 6.3: chunked frames the body only as the last coding; any other coding
            // runs to the close, whatever Content-Length says.
            transferEncoding = true;
            const QByteArray codings = value.toByteArray().toLower();
            chunked = codings.sliced(codings.lastIndexOf(',') + 1).trimmed() == "chunked";
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

    if (m_status == 204 || m_status == 304) {
        m_phase = Phase::Done;
    } else if (chunked) {
        m_phase = Phase::ChunkSize;
    } else if (contentLength >= 0 && !transferEncoding) {
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
            const QByteArrayView bytes = available();
            // Search from a little before the new bytes: the blank line may straddle reads.
            const qsizetype from = qMax<qsizetype>(0, bytes.size() - data.size() - 3);
            const qsizetype end = bytes.indexOf("\r\n\r\n", from);
            // The limit covers every head read so far (interim 1xx ones too). Before the blank
            // line has come, fail only once it could no longer end within the limit: the
            // verdict must not depend on how the bytes were split into reads.
            const qsizetype limit = MaxHeaderBytes - m_interimHeadBytes;
            if (end < 0 ? bytes.size() - 3 > limit : end > limit)
                return fail(QStringLiteral("answer headers over %1 bytes").arg(MaxHeaderBytes),
                            true);
            if (end < 0) {
                m_buffer.remove(0, consumed);
                return m_state;
            }
            m_head = bytes.first(end).toByteArray();
            consumed += end + 4;
            if (!parseHead(m_head))
                return m_state;
            if (m_phase == Phase::Head) // an interim 1xx answer: read the next head
                m_interimHeadBytes += end + 4;
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
            // As for the head: the same verdict however the line was split into reads.
            if (end < 0 ? bytes.size() - 1 > MaxFramingLineBytes : end > MaxFramingLineBytes)
                return fail(QStringLiteral("chunk framing line over %1 bytes")
                                .arg(MaxFramingLineBytes),
                            true);
            if (end < 0) {
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
                // Trailer fields are ignored, but bounded like headers: an endless trailer
                // would otherwise never end the answer.
                m_trailerBytes += end + 2;
                if (m_trailerBytes > MaxHeaderBytes)
                    return fail(QStringLiteral("answer trailers over %1 bytes")
                                    .arg(MaxHeaderBytes),
                                true);
                if (line.isEmpty())
                    m_phase = Phase::Done;
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
