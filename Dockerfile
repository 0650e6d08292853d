# campaign-bot: slim, non-root, data on a volume. Needs TELEGRAM_BOT_TOKEN at run time.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY locales ./locales
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 campaign && mkdir /data && chown campaign /data
COPY --from=build /install /usr/local
USER campaign
ENV BOT_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["campaign-bot"]
CMD ["run"]
