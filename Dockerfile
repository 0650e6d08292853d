# campaign-bot: slim, non-root, data on a volume. Needs TELEGRAM_BOT_TOKEN at run time; by webhook also
# BOT_WEBHOOK_URL and BOT_WEBHOOK_SECRET (the webhook server listens on BOT_WEBHOOK_PORT, 8443 by default).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY locales ./locales
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 campaign && install -d -o campaign -m 0700 /data
COPY --from=build /install /usr/local
USER campaign
ENV BOT_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8443
# Healthy while the bot's heartbeat in /data is fresh (bot/health.py): polling or webhook, no port needed.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["campaign-bot", "health"]
ENTRYPOINT ["campaign-bot"]
CMD ["run"]
