#include "rules/versionhistoryview.h"

#include "storage/storage.h"
#include "views/statusicons.h"

#include <QDateTime>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <memory>

namespace Dcs {

namespace {

constexpr int VersionRole = Qt::UserRole + 1;

QString actionText(DefinitionVersion::Action action)
{
    switch (action) {
    case DefinitionVersion::Action::Create: return VersionHistoryView::tr("created");
    case DefinitionVersion::Action::Edit: return VersionHistoryView::tr("edited");
    case DefinitionVersion::Action::Delete: return VersionHistoryView::tr("deleted");
    }
    return {};
}

QString valueText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isUndefined() || value.isNull())
        return QStringLiteral("(none)");
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    const QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray())
                                                   : QJsonDocument(value.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

QStringList ruleLines(const QJsonObject &definition)
{
    const QString rule = definition.value(QStringLiteral("rule")).toString();
    return rule.isEmpty() ? QStringList() : rule.split(QLatin1Char('\n'));
}

} // namespace

QList<VersionHistoryView::DiffLine> VersionHistoryView::diff(const QJsonObject &before,
                                                             const QJsonObject &after)
{
    QList<DiffLine> lines;
    QStringList keys = before.keys();
    for (const QString &key : after.keys()) {
        if (!keys.contains(key))
            keys.append(key);
    }
    for (const QString &key : std::as_const(keys)) {
        if (key == QLatin1String("rule") || before.value(key) == after.value(key))
            continue;
        if (before.contains(key))
            lines.append({QLatin1Char('-'), tr("%1: %2").arg(key, valueText(before.value(key)))});
        if (after.contains(key))
            lines.append({QLatin1Char('+'), tr("%1: %2").arg(key, valueText(after.value(key)))});
    }

    // The rule, line by line: a longest-common-subsequence table (rules are short).
    const QStringList a = ruleLines(before);
    const QStringList b = ruleLines(after);
    if (a == b)
        return lines;
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    QList<QList<int>> common(n + 1, QList<int>(m + 1, 0));
    for (qsizetype i = n - 1; i >= 0; --i) {
        for (qsizetype j = m - 1; j >= 0; --j) {
            common[i][j] = a.at(i) == b.at(j) ? common[i + 1][j + 1] + 1
                                              : std::max(common[i + 1][j], common[i][j + 1]);
        }
    }
    const QString prefix = tr("rule: ");
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a.at(i) == b.at(j)) {
            lines.append({QLatin1Char(' '), prefix + a.at(i)});
            ++i;
            ++j;
        } else if (i < n && (j == m || common[i + 1][j] >= common[i][j + 1])) {
            lines.append({QLatin1Char('-'), prefix + a.at(i)}); // removals before additions
            ++i;
        } else {
            lines.append({QLatin1Char('+'), prefix + b.at(j)});
            ++j;
        }
    }
    return lines;
}

VersionHistoryView::VersionHistoryView(Storage &storage, DefinitionVersion::Kind kind,
                                       QWidget *parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_kind(kind)
{
    setObjectName(QStringLiteral("versionHistoryView"));
    m_worker.setMaxThreadCount(1);
    m_worker.setExpiryTimeout(5000);

    m_list = new QTreeWidget;
    m_list->setObjectName(QStringLiteral("versionList"));
    m_list->setAccessibleName(tr("Versions"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({tr("Version"), tr("Time"), tr("Author"), tr("Action")});
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &VersionHistoryView::showSelected);

    m_diff = new QTextBrowser;
    m_diff->setObjectName(QStringLiteral("versionDiff"));
    m_diff->setAccessibleName(tr("Changes in this version"));
    m_diff->setOpenLinks(false);

    m_restore = new QPushButton(tr("&Restore This Version"));
    m_restore->setObjectName(QStringLiteral("restoreVersionButton"));
    m_restore->setToolTip(tr("Load this version into the editor; saving it records a new "
                             "version"));
    m_restore->setEnabled(false);
    connect(m_restore, &QPushButton::clicked, this, [this] {
        const QTreeWidgetItem *item = m_list->currentItem();
        if (!item)
            return;
        const int version = item->data(0, VersionRole).toInt();
        for (const DefinitionVersion &entry : std::as_const(m_versions)) {
            if (entry.version == version && !entry.after.isEmpty())
                Q_EMIT restoreRequested(entry.after, version);
        }
    });
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("versionSummary"));
    m_summary->setWordWrap(true);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_list);
    auto *lower = new QWidget;
    auto *lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addWidget(m_summary);
    lowerLayout->addWidget(m_diff, 1);
    lowerLayout->addWidget(m_restore, 0, Qt::AlignRight);
    splitter->addWidget(lower);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
}

VersionHistoryView::~VersionHistoryView()
{
    m_worker.waitForDone();
}

void VersionHistoryView::setSid(qint64 sid)
{
    m_sid = sid;
    reload();
}

void VersionHistoryView::reload()
{
    const quint64 generation = ++m_generation;
    if (m_sid == 0) {
        m_versions.clear();
        m_list->clear();
        showSelected();
        Q_EMIT loaded();
        return;
    }
    Storage *storage = &m_storage;
    const DefinitionVersion::Kind kind = m_kind;
    const qint64 sid = m_sid;
    m_worker.start([this, storage, kind, sid, generation] {
        auto versions = std::make_shared<QList<DefinitionVersion>>(
            DefinitionVersions::history(storage->reader(), kind, sid));
        storage->releaseReader();
        QMetaObject::invokeMethod(
            this,
            [this, versions, generation] {
                if (generation != m_generation)
                    return;
                m_versions = *versions;
                m_list->clear();
                const QLocale locale;
                // Newest first: the version the analyst most likely wants.
                for (auto it = m_versions.crbegin(); it != m_versions.crend(); ++it) {
                    auto *item = new QTreeWidgetItem(
                        {QString::number(it->version),
                         locale.toString(QDateTime::fromMSecsSinceEpoch(it->timeMs),
                                         QLocale::ShortFormat),
                         it->author, actionText(it->action)});
                    item->setData(0, VersionRole, it->version);
                    m_list->addTopLevelItem(item);
                }
                if (m_list->topLevelItemCount() > 0)
                    m_list->setCurrentItem(m_list->topLevelItem(0));
                showSelected();
                Q_EMIT loaded();
            },
            Qt::QueuedConnection);
    });
}

void VersionHistoryView::selectVersion(int version)
{
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        if (m_list->topLevelItem(row)->data(0, VersionRole).toInt() == version)
            m_list->setCurrentItem(m_list->topLevelItem(row));
    }
}

void VersionHistoryView::showSelected()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    const DefinitionVersion *selected = nullptr;
    if (item) {
        const int version = item->data(0, VersionRole).toInt();
        for (const DefinitionVersion &entry : std::as_const(m_versions)) {
            if (entry.version == version)
                selected = &entry;
        }
    }
    m_restore->setEnabled(selected && !selected->after.isEmpty());
    if (!selected) {
        m_summary->setText(m_sid == 0 ? tr("Not saved yet: no versions") : QString());
        m_diff->clear();
        return;
    }
    m_summary->setText(tr("Version %1, %2 by %3")
                           .arg(selected->version)
                           .arg(actionText(selected->action), selected->author));
    const QString added = StatusIcons::colour(StatusIcons::Tone::Good).name();
    const QString removed = StatusIcons::colour(StatusIcons::Tone::Bad).name();
    QString html = QStringLiteral("<pre style=\"margin:0\">");
    const QList<DiffLine> lines = diff(selected->before, selected->after);
    for (const DiffLine &line : lines) {
        const QString text = QString(QString(line.sign) + QLatin1Char(' ') + line.text)
                                 .toHtmlEscaped();
        if (line.sign == QLatin1Char('+'))
            html += QStringLiteral("<span style=\"color:%1\">%2</span>\n").arg(added, text);
        else if (line.sign == QLatin1Char('-'))
            html += QStringLiteral("<span style=\"color:%1\">%2</span>\n").arg(removed, text);
        else
            html += text + QLatin1Char('\n');
    }
    if (lines.isEmpty())
        html += tr("(no change)").toHtmlEscaped();
    html += QStringLiteral("</pre>");
    m_diff->setHtml(html);
}

} // namespace Dcs
