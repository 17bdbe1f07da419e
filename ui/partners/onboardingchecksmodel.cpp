#include "onboardingchecksmodel.h"

#include <QFont>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace Dcs {

namespace {

using Result = OnboardingCheck::Result;

// Mid-tone colours that read on light and dark backgrounds, as TransferColumns' outcome icons.
QColor colourOf(Result result)
{
    switch (result) {
    case Result::Pass: return QColor(0x2e, 0x9d, 0x4f);
    case Result::Warn: return QColor(0xe0, 0x8a, 0x1e);
    case Result::Fail: return QColor(0xd6, 0x3b, 0x3b);
    case Result::NotApplicable: break;
    }
    return QColor(0x8a, 0x8a, 0x8a);
}

QPixmap drawResult(Result result, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal s = size;
    const QColor colour = colourOf(result);
    const QRectF box(s * 0.1, s * 0.1, s * 0.8, s * 0.8);
    const QPen mark(Qt::white, qMax(1.5, s * 0.12), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    switch (result) {
    case Result::Pass: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawEllipse(box);
        painter.setPen(mark);
        QPainterPath tick;
        tick.moveTo(s * 0.3, s * 0.52);
        tick.lineTo(s * 0.44, s * 0.66);
        tick.lineTo(s * 0.7, s * 0.36);
        painter.drawPath(tick);
        break;
    }
    case Result::Warn: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        QPainterPath triangle;
        triangle.moveTo(s * 0.5, s * 0.06);
        triangle.lineTo(s * 0.96, s * 0.9);
        triangle.lineTo(s * 0.04, s * 0.9);
        triangle.closeSubpath();
        painter.drawPath(triangle);
        painter.setPen(mark);
        painter.drawLine(QPointF(s * 0.5, s * 0.36), QPointF(s * 0.5, s * 0.6));
        painter.drawPoint(QPointF(s * 0.5, s * 0.76));
        break;
    }
    case Result::Fail:
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawEllipse(box);
        painter.setPen(mark);
        painter.drawLine(QPointF(s * 0.34, s * 0.34), QPointF(s * 0.66, s * 0.66));
        painter.drawLine(QPointF(s * 0.66, s * 0.34), QPointF(s * 0.34, s * 0.66));
        break;
    case Result::NotApplicable:
        painter.setPen(QPen(colour, qMax(1.5, s * 0.1)));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(box.adjusted(s * 0.05, s * 0.05, -s * 0.05, -s * 0.05));
        painter.drawLine(QPointF(s * 0.34, s * 0.5), QPointF(s * 0.66, s * 0.5));
        break;
    }
    return pixmap;
}

} // namespace

QString OnboardingChecksModel::resultLabel(OnboardingCheck::Result result)
{
    switch (result) {
    case Result::Pass: return tr("Pass");
    case Result::Warn: return tr("Warn");
    case Result::Fail: return tr("Fail");
    case Result::NotApplicable: break;
    }
    return tr("n/a");
}

QIcon OnboardingChecksModel::resultIcon(OnboardingCheck::Result result)
{
    static QHash<int, QIcon> cache; // GUI thread only
    const auto found = cache.constFind(int(result));
    if (found != cache.constEnd())
        return *found;
    QIcon icon;
    for (int size : {16, 24, 32})
        icon.addPixmap(drawResult(result, size));
    cache.insert(int(result), icon);
    return icon;
}

QString OnboardingChecksModel::checkTitle(const QString &name)
{
    if (name == u"reachable")
        return tr("Reachable");
    if (name == u"TLS")
        return tr("TLS");
    if (name == u"status and content type")
        return tr("Status and content type");
    if (name == u"body parses")
        return tr("Body parses");
    if (name == u"codes valid")
        return tr("Codes valid");
    if (name == u"codes mapped")
        return tr("Codes mapped");
    if (name == u"latency")
        return tr("Latency");
    if (name == u"error rate")
        return tr("Error rate");
    return name;
}

QString OnboardingChecksModel::checkDescription(const QString &name)
{
    if (name == u"reachable")
        return tr("At least one call connected to the partner's endpoint.");
    if (name == u"TLS")
        return tr("An https:// endpoint presents a certificate this computer trusts.");
    if (name == u"status and content type")
        return tr("Every answer is 200 with application/json or text/plain, or 204.");
    if (name == u"body parses")
        return tr("Every answer's body parses as JSON or as the text form of codes.");
    if (name == u"codes valid")
        return tr("Every code is 1 to 64 characters from A-Z, a-z, 0-9 and _ . : -");
    if (name == u"codes mapped")
        return tr("Every code realizes an onboarded trait of the partner's data source. "
                  "Unmapped codes are still stored: a warning, not a failure.");
    if (name == u"latency")
        return tr("The run's p99 latency is within the partner's timeout.");
    if (name == u"error rate")
        return tr("Calls that failed: pass at most 1%, warn at most 5%.");
    return {};
}

void OnboardingChecksModel::clear()
{
    beginResetModel();
    m_comparison = false;
    m_names.clear();
    m_before.clear();
    m_after.clear();
    endResetModel();
}

void OnboardingChecksModel::setChecks(const QList<OnboardingCheck> &checks)
{
    beginResetModel();
    m_comparison = false;
    m_before = checks;
    m_after.clear();
    m_names.clear();
    for (const OnboardingCheck &check : checks)
        m_names.append(check.name);
    endResetModel();
}

void OnboardingChecksModel::setComparison(const QList<OnboardingCheck> &before,
                                          const QList<OnboardingCheck> &after)
{
    beginResetModel();
    m_comparison = true;
    m_before = before;
    m_after = after;
    m_names.clear();
    for (const QList<OnboardingCheck> *list : {&before, &after}) {
        for (const OnboardingCheck &check : *list) {
            if (!m_names.contains(check.name))
                m_names.append(check.name);
        }
    }
    endResetModel();
}

const OnboardingCheck *OnboardingChecksModel::find(const QList<OnboardingCheck> &checks,
                                                   const QString &name) const
{
    for (const OnboardingCheck &check : checks) {
        if (check.name == name)
            return &check;
    }
    return nullptr;
}

int OnboardingChecksModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_names.size());
}

int OnboardingChecksModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_comparison ? int(ComparisonCount) : int(Count);
}

QVariant OnboardingChecksModel::resultData(const OnboardingCheck *check, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return check ? resultLabel(check->result) : tr("—");
    case Qt::DecorationRole:
        return check ? QVariant(resultIcon(check->result)) : QVariant();
    case ResultRole:
        return check ? int(check->result) : -1;
    case Qt::ToolTipRole:
        return check ? check->detail : tr("Not checked in this run");
    }
    return {};
}

QVariant OnboardingChecksModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &name = m_names.at(index.row());
    if (index.column() == Check) { // the same column in both layouts
        switch (role) {
        case Qt::DisplayRole:
            return checkTitle(name);
        case Qt::ToolTipRole:
            return checkDescription(name);
        }
        if (!(m_comparison && role == Qt::FontRole))
            return {};
    }
    if (!m_comparison) {
        const OnboardingCheck &check = m_before.at(index.row());
        if (index.column() == Result)
            return resultData(&check, role);
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return check.detail;
        return {};
    }
    const OnboardingCheck *before = find(m_before, name);
    const OnboardingCheck *after = find(m_after, name);
    if (role == Qt::FontRole) {
        const bool changed = !before || !after || before->result != after->result;
        if (!changed)
            return {};
        QFont font;
        font.setBold(true);
        return font;
    }
    return resultData(index.column() == Before ? before : after, role);
}

QVariant OnboardingChecksModel::headerData(int section, Qt::Orientation orientation,
                                           int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (role == Qt::DisplayRole) {
        if (section == Check)
            return tr("Check");
        if (m_comparison)
            return section == Before ? tr("Before") : tr("After");
        return section == Result ? tr("Result") : tr("Reason");
    }
    if (role == Qt::ToolTipRole) {
        if (section == Check)
            return tr("What the onboarding test verifies (partner-protocol.md)");
        if (m_comparison)
            return section == Before ? tr("The earlier run's result; hover for the reason")
                                     : tr("The later run's result; hover for the reason");
        return section == Result ? tr("Pass, Warn, Fail, or n/a when the check does not apply")
                                 : tr("Why, with the numbers of the run");
    }
    return {};
}

} // namespace Dcs
